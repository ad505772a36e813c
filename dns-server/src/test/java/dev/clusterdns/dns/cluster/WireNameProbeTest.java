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

    /** `first/second` as the zone stores its part keys: the labels' bytes lower-cased (ASCII), one char each. */
    private static String partKey(Name n, int first, int second) {
        return lowered(n.getLabel(first)) + '/' + lowered(n.getLabel(second));
    }

    private static String lowered(byte[] label) {
        StringBuilder sb = new StringBuilder();
        for (int i = 1; i < label.length; i++) {
            int c = label[i] & 0xff;
            sb.append((char) (c >= 'A' && c <= 'Z' ? c + 32 : c));
        }
        return sb.toString();
    }

    @Test
    void partKeyFindsExactlyTheStringKey() throws Exception {
        Random rnd = new Random(7);
        Map<String, Integer> parts = new HashMap<>();
        Name[] stored = new Name[2000];
        for (int i = 0; i < stored.length; i++) {
            stored[i] = randomName(rnd);
            if (stored[i].labels() >= 3) {
                parts.put(partKey(stored[i], 1, 0), i);
            }
        }
        int hits = 0;
        for (int i = 0; i < 20_000; i++) {
            Name n = i % 2 == 0 ? stored[rnd.nextInt(stored.length)] : randomName(rnd);
            if (n.labels() < 3) {
                continue;
            }
            byte[] wire = recased(n.toWire(), rnd);
            Name asked = new Name(wire);
            String expected = partKey(asked, 1, 0);
            Object key = probe(wire, asked).key(1, 0);
            assertEquals(expected.hashCode(), key.hashCode(), asked.toString());
            assertEquals(parts.get(expected), parts.get(key), asked.toString());
            hits += parts.containsKey(expected) ? 1 : 0;
        }
        assertTrue(hits > 1000, "the lookups must hit too: " + hits);
        // The keys the zone stores (`namespace/name`), asked in any case.
        Map<String, String> zone = Map.of("shop/web", "x");
        Name web = Name.fromString("WeB.ShoP.svc.cluster.local.");
        assertEquals("x", zone.get(probe(web.toWire(), web).key(1, 0)));
        assertNull(zone.get(probe(web.toWire(), web).key(0, 1)), "web/shop is another key");
        Name longer = Name.fromString("webs.shop.svc.cluster.local.");
        assertNull(zone.get(probe(longer.toWire(), longer).key(1, 0)));
    }
}
