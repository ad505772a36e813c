package dev.clusterdns.dns.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Name;

/** The wire probe finds exactly what the dnsjava name would find, over random names of every byte. */
class WireNameProbeTest {
    private static final Name ORIGIN = Name.fromConstantString("cluster.local.");

    /** A random absolute name: 1–6 labels of 1–20 bytes, any byte value (upper case and non-ASCII too). */
    private static Name randomName(Random rnd) throws Exception {
        Name n = Name.root;
        int labels = 1 + rnd.nextInt(6);
        for (int i = 0; i < labels; i++) {
            byte[] label = new byte[1 + rnd.nextInt(20)];
            for (int j = 0; j < label.length; j++) {
                label[j] = (byte) (rnd.nextInt(4) == 0 ? 'A' + rnd.nextInt(26) : rnd.nextInt(256));
            }
            byte[] wire = new byte[label.length + 2];
            wire[0] = (byte) label.length;
            System.arraycopy(label, 0, wire, 1, label.length);
            n = Name.concatenate(new Name(wire), n);
        }
        return rnd.nextBoolean() ? Name.concatenate(n.relativize(Name.root), ORIGIN) : n;
    }

    /** The same name with the case of its ASCII letters flipped at random (0x20). */
    private static byte[] recased(byte[] wire, Random rnd) {
        byte[] out = wire.clone();
        for (int i = 0; i < out.length; i++) {
            int c = out[i] & 0xff;
            if (rnd.nextBoolean() && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
                out[i] = (byte) (c ^ 0x20);
            }
        }
        return out;
    }

    private static WireNameProbe probe(byte[] wire, Name n) {
        return new WireNameProbe(wire, 0, wire.length, n.labels());
    }

    @Test
    void agreesWithDnsjavaOnHashSubdomainAndLookups() throws Exception {
        Random rnd = new Random(13);
        Map<Name, Integer> index = new HashMap<>();
        Name[] stored = new Name[2000];
        for (int i = 0; i < stored.length; i++) {
            stored[i] = randomName(rnd);
            index.put(stored[i], i);
        }
        byte[] origin = ORIGIN.toWireCanonical();
        for (int i = 0; i < 20_000; i++) {
            Name n = i % 2 == 0 ? stored[rnd.nextInt(stored.length)] : randomName(rnd);
            byte[] wire = recased(n.toWire(), rnd);
            Name asked = new Name(wire);
            WireNameProbe p = probe(wire, asked);
            assertEquals(asked.hashCode(), p.hashCode(), asked.toString());
            assertEquals(asked.subdomain(ORIGIN), p.within(origin, ORIGIN.labels()), asked.toString());
            Integer found = index.get(p);
            Integer expected = index.get(asked);
            if (found == null) {
                assertNull(expected, "a miss by wire is final: " + asked);
            } else {
                // A hit by wire only says: same hash, length and label count. The zone confirms it
                // against the found name's bytes (its template's question) and falls back otherwise.
                boolean confirmed = p.sameName(stored[found].toWireCanonical(), 0);
                assertEquals(stored[found].equals(asked), confirmed, asked + " vs " + stored[found]);
                if (confirmed) {
                    assertSame(stored[expected], stored[found]);
                }
            }
        }
    }

    @Test
    void comparesLabelsAndNamesIgnoringAsciiCaseOnly() throws Exception {
        Name n = Name.fromString("10-0-0-1.Shop.PoD.cluster.local.");
        byte[] wire = n.toWire();
        WireNameProbe p = probe(wire, n);
        assertTrue(p.labelIs(2, "pod"));
        assertFalse(p.labelIs(1, "pod"));
        assertFalse(p.labelIs(2, "po"));
        assertTrue(p.sameName(Name.fromString("10-0-0-1.shop.pod.cluster.local.").toWire(), 0));
        assertFalse(p.sameName(Name.fromString("10-0-0-1.shop.pod.cluster.locam.").toWire(), 0));
        assertFalse(p.sameName(new byte[4], 0), "shorter than the name");
        // Only A-Z fold: 0xC4 and 0xE4 (Ä, ä in Latin-1) are different bytes, as dnsjava says.
        Name upper = new Name(new byte[] {1, (byte) 0xC4, 0});
        Name lower = new Name(new byte[] {1, (byte) 0xE4, 0});
        assertFalse(upper.equals(lower));
        assertFalse(probe(upper.toWire(), upper).sameName(lower.toWire(), 0));
    }
}
