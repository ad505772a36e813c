package dev.clusterdns.env.pod;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ExpansionTest {
    private static final Map<String, String> VARS = Map.of("HOST", "10.96.0.50", "PORT", "80", "EMPTY", "");

    private static String expand(String s) {
        return Expansion.expand(s, VARS::get);
    }

    @Test
    void referencesResolve() {
        assertEquals("http://10.96.0.50:80", expand("http://$(HOST):$(PORT)"));
        assertEquals("[]", expand("[$(EMPTY)]"));
    }

    @Test
    void undefinedReferencesStayLiteral() {
        assertEquals("$(NOPE)-80", expand("$(NOPE)-$(PORT)"));
        assertEquals("$()", expand("$()"));
    }

    @Test
    void doubleDollarEscapes() {
        assertEquals("$(HOST)", expand("$$(HOST)"));
        assertEquals("$$", expand("$$$$"));
        assertEquals("$10.96.0.50", expand("$$$(HOST)"));
    }

    @Test
    void otherDollarsAreCopied() {
        assertEquals("$HOST ${HOST} a$b", expand("$HOST ${HOST} a$b"));
        assertEquals("cost: 5$", expand("cost: 5$"));
        assertEquals("$", expand("$"));
        assertEquals("€$é", expand("€$é"));
    }

    @Test
    void unterminatedReferenceIsCopied() {
        assertEquals("x $(HOST y", expand("x $(HOST y"));
        assertEquals("80 $(", expand("$(PORT) $("));
    }

    @Test
    void expansionIsNotRecursive() {
        assertEquals("$(PORT)", Expansion.expand("$(A)", Map.of("A", "$(PORT)", "PORT", "80")::get));
    }
}
