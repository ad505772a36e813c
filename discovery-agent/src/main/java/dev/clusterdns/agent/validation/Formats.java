package dev.clusterdns.agent.validation;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * apimachinery's string format checks (`k8s.io/apimachinery/pkg/util/validation`). Each returns
 * the list of detail messages, empty when the value is fine; the texts are the API server's.
 */
final class Formats {
    private Formats() {}

    static final String DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    static final String DNS1123_SUBDOMAIN_FMT = DNS1123_LABEL_FMT + "(\\." + DNS1123_LABEL_FMT + ")*";
    static final String DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private static final String QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private static final String LABEL_VALUE_FMT = "(" + QUALIFIED_NAME_FMT + ")?";
    private static final String CONFIG_MAP_KEY_FMT = "[-._a-zA-Z0-9]+";

    private static final Pattern DNS1123_LABEL = Pattern.compile(DNS1123_LABEL_FMT);
    private static final Pattern DNS1123_SUBDOMAIN = Pattern.compile(DNS1123_SUBDOMAIN_FMT);
    private static final Pattern DNS1035_LABEL = Pattern.compile(DNS1035_LABEL_FMT);
    private static final Pattern QUALIFIED_NAME = Pattern.compile(QUALIFIED_NAME_FMT);
    private static final Pattern LABEL_VALUE = Pattern.compile(LABEL_VALUE_FMT);
    private static final Pattern CONFIG_MAP_KEY = Pattern.compile(CONFIG_MAP_KEY_FMT);
    private static final Pattern PORT_NAME_CHARSET = Pattern.compile("[-a-z0-9]+");
    private static final Pattern ONE_LETTER = Pattern.compile(".*[a-z].*", Pattern.DOTALL);

    static final String DNS1123_LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric "
            + "characters or '-', and must start and end with an alphanumeric character";
    static final String DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case "
            + "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    static final String DNS1035_LABEL_MSG = "a DNS-1035 label must consist of lower case alphanumeric characters "
            + "or '-', start with an alphabetic character, and end with an alphanumeric character";
    private static final String QUALIFIED_NAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', "
            + "and must start and end with an alphanumeric character";
    private static final String LABEL_VALUE_MSG = "a valid label must be an empty string or consist of alphanumeric "
            + "characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private static final String CONFIG_MAP_KEY_MSG = "a valid config key must consist of alphanumeric characters, "
            + "'-', '_' or '.'";

    /** apimachinery's RegexError, including its quirk of two spaces before "or". */
    static String regexError(String msg, String fmt, String... examples) {
        if (examples.length == 0) {
            return msg + " (regex used for validation is '" + fmt + "')";
        }
        StringBuilder sb = new StringBuilder(msg).append(" (e.g. ");
        for (int i = 0; i < examples.length; i++) {
            if (i > 0) {
                sb.append(" or ");
            }
            sb.append('\'').append(examples[i]).append("', ");
        }
        return sb.append("regex used for validation is '").append(fmt).append("')").toString();
    }

    /** Go measures strings in bytes. */
    static int byteLength(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    static String maxLenError(int n) {
        return "must be no more than " + n + " characters";
    }

    static String inclusiveRangeError(int lo, int hi) {
        return "must be between " + lo + " and " + hi + ", inclusive";
    }

    // Hand-written checks of the common valid case: a name that passes them passes the regex and the
    // length check too, so the regexes (the larger part of validating a Pod, and much of the JIT's work
    // at start) run only to word what is wrong.

    private static boolean lowerAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    private static boolean alnum(char c) {
        return lowerAlnum(c) || (c >= 'A' && c <= 'Z');
    }

    /** {@code v[from, to)} matches {@link #DNS1123_LABEL_FMT} (no length limit). */
    private static boolean isLabel(String v, int from, int to) {
        if (from >= to || !lowerAlnum(v.charAt(from)) || !lowerAlnum(v.charAt(to - 1))) {
            return false;
        }
        for (int i = from + 1; i < to - 1; i++) {
            char c = v.charAt(i);
            if (c != '-' && !lowerAlnum(c)) {
                return false;
            }
        }
        return true;
    }

    /** Matches {@link #DNS1123_SUBDOMAIN_FMT} (no length limit). */
    private static boolean isSubdomain(String v) {
        int from = 0;
        for (int dot = v.indexOf('.'); dot >= 0; dot = v.indexOf('.', from)) {
            if (!isLabel(v, from, dot)) {
                return false;
            }
            from = dot + 1;
        }
        return isLabel(v, from, v.length());
    }

    /** {@code v[from, to)} matches {@link #QUALIFIED_NAME_FMT} (no length limit). */
    private static boolean isQualifiedNamePart(String v, int from, int to) {
        if (from >= to || !alnum(v.charAt(from)) || !alnum(v.charAt(to - 1))) {
            return false;
        }
        for (int i = from + 1; i < to - 1; i++) {
            char c = v.charAt(i);
            if (c != '-' && c != '_' && c != '.' && !alnum(c)) {
                return false;
            }
        }
        return true;
    }

    static List<String> dns1123Label(String v) {
        if (v.length() <= 63 && isLabel(v, 0, v.length())) {
            return List.of();
        }
        List<String> errs = new ArrayList<>();
        if (byteLength(v) > 63) {
            errs.add(maxLenError(63));
        }
        if (!DNS1123_LABEL.matcher(v).matches()) {
            if (DNS1123_SUBDOMAIN.matcher(v).matches()) {
                // A valid subdomain that is not a label can only be failing on its dots.
                errs.add("must not contain dots");
            } else {
                errs.add(regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, "my-name", "123-abc"));
            }
        }
        return errs;
    }

    static List<String> dns1123Subdomain(String v) {
        if (v.length() <= 253 && isSubdomain(v)) {
            return List.of();
        }
        List<String> errs = new ArrayList<>();
        if (byteLength(v) > 253) {
            errs.add(maxLenError(253));
        }
        if (!DNS1123_SUBDOMAIN.matcher(v).matches()) {
            errs.add(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, "example.com"));
        }
        return errs;
    }

    static List<String> dns1035Label(String v) {
        List<String> errs = new ArrayList<>();
        if (byteLength(v) > 63) {
            errs.add(maxLenError(63));
        }
        if (!DNS1035_LABEL.matcher(v).matches()) {
            errs.add(regexError(DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, "my-name", "abc-123"));
        }
        return errs;
    }

    static List<String> qualifiedName(String v) {
        int slash = v.indexOf('/');
        if (slash < 0 ? v.length() <= 63 && isQualifiedNamePart(v, 0, v.length())
                : v.indexOf('/', slash + 1) < 0 && slash <= 253 && isSubdomain(v.substring(0, slash))
                        && v.length() - slash - 1 <= 63 && isQualifiedNamePart(v, slash + 1, v.length())) {
            return List.of();
        }
        List<String> errs = new ArrayList<>();
        String[] parts = v.split("/", -1);
        String name;
        if (parts.length == 1) {
            name = parts[0];
        } else if (parts.length == 2) {
            String prefix = parts[0];
            name = parts[1];
            if (prefix.isEmpty()) {
                errs.add("prefix part must be non-empty");
            } else {
                for (String m : dns1123Subdomain(prefix)) {
                    errs.add("prefix part " + m);
                }
            }
        } else {
            errs.add("a qualified name " + regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name",
                    "123-abc") + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
            return errs;
        }
        if (name.isEmpty()) {
            errs.add("name part must be non-empty");
        } else if (byteLength(name) > 63) {
            errs.add("name part " + maxLenError(63));
        }
        if (!QUALIFIED_NAME.matcher(name).matches()) {
            errs.add("name part " + regexError(QUALIFIED_NAME_MSG, QUALIFIED_NAME_FMT, "MyName", "my.name", "123-abc"));
        }
        return errs;
    }

    static List<String> labelValue(String v) {
        if (v.isEmpty() || (v.length() <= 63 && isQualifiedNamePart(v, 0, v.length()))) {
            return List.of();
        }
        List<String> errs = new ArrayList<>();
        if (byteLength(v) > 63) {
            errs.add(maxLenError(63));
        }
        if (!LABEL_VALUE.matcher(v).matches()) {
            errs.add(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, "MyValue", "my_value", "12345"));
        }
        return errs;
    }

    /** IANA_SVC_NAME (RFC 6335): what container port names and named targetPorts must be. */
    static List<String> portName(String v) {
        if (isPortName(v)) {
            return List.of();
        }
        List<String> errs = new ArrayList<>();
        if (byteLength(v) > 15) {
            errs.add(maxLenError(15));
        }
        if (!PORT_NAME_CHARSET.matcher(v).matches()) {
            errs.add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }
        if (!ONE_LETTER.matcher(v).matches()) {
            errs.add("must contain at least one letter (a-z)");
        }
        if (v.contains("--")) {
            errs.add("must not contain consecutive hyphens");
        }
        if (!v.isEmpty() && (v.charAt(0) == '-' || v.charAt(v.length() - 1) == '-')) {
            errs.add("must not begin or end with a hyphen");
        }
        return errs;
    }

    /** Passes every check of {@link #portName}. */
    private static boolean isPortName(String v) {
        int n = v.length();
        if (n == 0 || n > 15 || v.charAt(0) == '-' || v.charAt(n - 1) == '-') {
            return false;
        }
        boolean letter = false;
        for (int i = 0; i < n; i++) {
            char c = v.charAt(i);
            if (c >= 'a' && c <= 'z') {
                letter = true;
            } else if (c == '-' ? v.charAt(i - 1) == '-' : c < '0' || c > '9') {
                return false;
            }
        }
        return letter;
    }

    static List<String> portNumber(int port) {
        return port >= 1 && port <= 65535 ? List.of() : List.of(inclusiveRangeError(1, 65535));
    }

    static List<String> configMapKey(String v) {
        List<String> errs = new ArrayList<>();
        if (byteLength(v) > 253) {
            errs.add(maxLenError(253));
        }
        if (!CONFIG_MAP_KEY.matcher(v).matches()) {
            errs.add(regexError(CONFIG_MAP_KEY_MSG, CONFIG_MAP_KEY_FMT, "key.name", "KEY_NAME", "key-name"));
        }
        if (v.equals(".")) {
            errs.add("must not be '.'");
        } else if (v.equals("..")) {
            errs.add("must not be '..'");
        } else if (v.startsWith("..")) {
            errs.add("must not start with '..'");
        }
        return errs;
    }

    /** Relaxed env var names (GA in 1.34): printable ASCII except '='. */
    static List<String> envVarName(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < 32 || c > 126 || c == '=') {
                return List.of("a valid environment variable name must consist only of printable ASCII characters "
                        + "other than '='");
            }
        }
        return List.of();
    }
}
