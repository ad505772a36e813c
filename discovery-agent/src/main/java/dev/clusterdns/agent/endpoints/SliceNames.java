package dev.clusterdns.agent.endpoints;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Deterministic stand-ins for the API server's `generateName` suffixes: `<prefix><5 chars>`, the
 * chars from the same consonant-and-digit alphabet Kubernetes uses, derived from a hash of what
 * the slice is (owner, controller, family, port group, chunk). Equal inputs give equal names, so
 * snapshots diff cleanly; names stay unique per namespace (a clash is re-hashed with a counter).
 * One instance per reconcile.
 */
final class SliceNames {
    private static final String ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final int SUFFIX_LENGTH = 5;
    /** Kubernetes cuts a generateName base to 63 − 5 characters. */
    private static final int MAX_BASE_LENGTH = 63 - SUFFIX_LENGTH;
    private static final int MAX_SUBDOMAIN_LENGTH = 253;

    private final Map<String, Set<String>> usedByNamespace = new HashMap<>();

    /** Reserves a name that already exists (a slice given in the manifests). */
    void reserve(String namespace, String name) {
        if (name != null) {
            used(namespace).add(name);
        }
    }

    /**
     * The `generateName` the controllers use for an owner: `<owner>-`, or just the owner name when
     * the dash would make an invalid prefix (longer than a DNS subdomain).
     */
    static String prefix(String ownerName) {
        String withDash = ownerName + "-";
        return withDash.length() > MAX_SUBDOMAIN_LENGTH ? ownerName : withDash;
    }

    /** A fresh name for a slice with the given generateName, stable for the same identity. */
    String next(String namespace, String generateName, String identity) {
        String base = generateName.length() > MAX_BASE_LENGTH ? generateName.substring(0, MAX_BASE_LENGTH) : generateName;
        Set<String> used = used(namespace);
        for (int attempt = 0; ; attempt++) {
            String name = base + suffix(attempt == 0 ? identity : identity + "#" + attempt);
            if (used.add(name)) {
                return name;
            }
        }
    }

    private Set<String> used(String namespace) {
        return usedByNamespace.computeIfAbsent(namespace, k -> new HashSet<>());
    }

    private static String suffix(String identity) {
        byte[] digest = sha256(identity);
        StringBuilder sb = new StringBuilder(SUFFIX_LENGTH);
        for (int i = 0; i < SUFFIX_LENGTH; i++) {
            sb.append(ALPHABET.charAt((digest[i] & 0xff) % ALPHABET.length()));
        }
        return sb.toString();
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
