package dev.clusterdns.agent.workloads;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.clusterdns.agent.model.Workload;
import java.nio.charset.StandardCharsets;

/**
 * Names as Kubernetes' controllers make them: `<deployment>-<pod-template-hash>` for a Deployment's
 * ReplicaSet, `<replicaset>-<5 chars>` for its Pods, `<statefulset>-<ordinal>`.
 *
 * <p>Kubernetes draws the 5 characters at random; here they are derived from the owner's name and
 * the Pod's index, so the same manifests give the same Pod names after every restart (and in
 * `env`/`resolvconf`, which compute the state without the server).
 */
public final class PodNames {
    /** apimachinery's `rand` alphabet: no vowels (no words) and no easily confused characters. */
    static final String SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    /** names.SimpleNameGenerator: the random suffix length, and how much of the base it keeps. */
    static final int SUFFIX_LENGTH = 5;
    static final int MAX_GENERATED_BASE = 63 - SUFFIX_LENGTH;

    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private PodNames() {}

    /**
     * The `pod-template-hash` of a template: a 32-bit FNV-1a hash of the template rendered
     * canonically, its decimal digits mapped onto the safe alphabet (as `rand.SafeEncodeString`
     * does). Equal templates hash equally; any change to the template changes the hash.
     */
    public static String templateHash(Workload.PodTemplate template) {
        byte[] canonical;
        try {
            canonical = CANONICAL.writeValueAsBytes(template);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render pod template", e);
        }
        return safeEncode(Integer.toUnsignedString(fnv1a32(canonical)));
    }

    /** Each byte replaced by the alphabet's character at (byte mod 27), as `rand.SafeEncodeString`. */
    static String safeEncode(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            out.append(SAFE_ALPHABET.charAt((b & 0xff) % SAFE_ALPHABET.length()));
        }
        return out.toString();
    }

    static int fnv1a32(byte[] data) {
        int h = 0x811c9dc5;
        for (byte b : data) {
            h ^= b & 0xff;
            h *= 0x01000193;
        }
        return h;
    }

    /**
     * The name of the Pod at {@code index} of a ReplicaSet: `generateName` plus 5 safe characters.
     * {@code attempt} > 0 gives another name when the first is taken (the API server would answer
     * AlreadyExists and the controller retry with a fresh random suffix).
     */
    public static String replicaSetPod(String replicaSet, int index, int attempt) {
        return generateName(replicaSet) + suffix(replicaSet + "/" + index + "/" + attempt);
    }

    /** `<base>-`, with the base cut to 58 characters as the API server's name generator does. */
    public static String generateName(String base) {
        String prefix = base + "-";
        return prefix.length() > MAX_GENERATED_BASE ? prefix.substring(0, MAX_GENERATED_BASE) : prefix;
    }

    /** `<statefulset>-<ordinal>`. */
    public static String statefulSetPod(String statefulSet, int ordinal) {
        return statefulSet + "-" + ordinal;
    }

    /** The ordinal of a Pod named `<statefulSet>-<n>`, or -1 when it has no such name. */
    static int ordinalOf(String statefulSet, String podName) {
        String prefix = statefulSet + "-";
        if (podName == null || !podName.startsWith(prefix) || podName.length() == prefix.length()) {
            return -1;
        }
        String digits = podName.substring(prefix.length());
        if (!digits.chars().allMatch(Character::isDigit) || digits.length() > 9
                || digits.length() > 1 && digits.charAt(0) == '0') {
            return -1;
        }
        return Integer.parseInt(digits);
    }

    /** A Deployment's ReplicaSet: `<deployment>-<pod-template-hash>`. */
    public static String deploymentReplicaSet(String deployment, String templateHash) {
        return deployment + "-" + templateHash;
    }

    private static String suffix(String seed) {
        // Two FNV rounds give 64 bits, plenty for 5 characters of a 27-letter alphabet.
        byte[] bytes = seed.getBytes(StandardCharsets.UTF_8);
        long h = Integer.toUnsignedLong(fnv1a32(bytes)) << 32 | Integer.toUnsignedLong(fnv1a32(reverse(bytes)));
        h = Long.remainderUnsigned(h * 0x9E3779B97F4A7C15L, Long.MAX_VALUE);
        StringBuilder out = new StringBuilder(SUFFIX_LENGTH);
        for (int i = 0; i < SUFFIX_LENGTH; i++) {
            out.append(SAFE_ALPHABET.charAt((int) (h % SAFE_ALPHABET.length())));
            h /= SAFE_ALPHABET.length();
        }
        return out.toString();
    }

    private static byte[] reverse(byte[] in) {
        byte[] out = new byte[in.length];
        for (int i = 0; i < in.length; i++) {
            out[i] = in[in.length - 1 - i];
        }
        return out;
    }
}
