package dev.clusterdns.agent.allocation;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

/**
 * Where one Service's dynamic scans start: the injected generator, or one seeded by the Service's
 * key and the claim, so every process given the same manifests makes the same choices.
 *
 * @param random null to derive each start from {@code key}
 * @param key the Service's `namespace/name`
 */
record ScanStart(RandomGenerator random, String key) {
    /** @param claim names the claim within the Service (`ip/0`, `nodePort/80`, `lb`) */
    RandomGenerator forClaim(String claim) {
        if (random != null) {
            return random;
        }
        // FNV-1a: a stable, well-spread seed from the text (String.hashCode is too clustered).
        long h = 0xcbf29ce484222325L;
        for (byte b : (key + "#" + claim).getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return new SplittableRandom(h);
    }
}
