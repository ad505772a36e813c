package dev.clusterdns.agent.model;

/** One instance per distinct text for the values that repeat across objects (namespaces, labels, phases). */
final class Strings {
    private Strings() {}

    /** The canonical instance of {@code s}; the JVM's string table drops entries nothing refers to. */
    static String shared(String s) {
        return s == null ? null : s.intern();
    }
}
