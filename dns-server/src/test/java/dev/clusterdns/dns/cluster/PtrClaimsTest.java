package dev.clusterdns.dns.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PtrClaimsTest {

    @Test
    void longRandomSequencesMatchAMapAndEarlierVersionsStayAsTheyWere() {
        Random random = new Random(5);
        Map<String, Object> oracle = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            oracle.put("10.1." + (i >> 8) + "." + (i & 255), "ns/svc" + (i % 97));
        }
        PtrClaims claims = PtrClaims.of(oracle);
        PtrClaims kept = claims;
        Map<String, Object> keptOracle = new HashMap<>(oracle);
        for (int step = 0; step < 50_000; step++) {
            String ip = "10.1." + random.nextInt(100) + "." + random.nextInt(256);
            if (random.nextBoolean()) {
                Object value = random.nextInt(5) == 0 ? new String[] {"a/x", "b/y"} : "ns/s" + step;
                claims = claims.plus(ip, value);
                oracle.put(ip, value);
            } else {
                claims = claims.minus(ip);
                oracle.remove(ip);
            }
            assertEquals(oracle.get(ip), claims.get(ip), ip);
            if (step == 25_000) {
                kept = claims;
                keptOracle = new HashMap<>(oracle);
            }
        }
        for (Map.Entry<String, Object> e : oracle.entrySet()) {
            assertEquals(e.getValue(), claims.get(e.getKey()));
        }
        for (Map.Entry<String, Object> e : keptOracle.entrySet()) {
            assertEquals(e.getValue(), kept.get(e.getKey()), "an earlier version is unchanged");
        }
        assertNull(claims.get("192.0.2.1"));
        assertNull(PtrClaims.empty().get("10.1.0.0"));
        assertNull(PtrClaims.empty().minus("10.1.0.0").get("10.1.0.0"));
    }
}
