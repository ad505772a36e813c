package dev.clusterdns.env.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * How `clusterdns env` writes variables.
 *
 * <ul>
 *   <li>{@link #SHELL}: `export NAME='value'` lines; single quotes keep every byte literal in bash,
 *       dash and every POSIX shell (a `'` inside is written `'\''`), so any value survives `source`.
 *   <li>{@link #DOTENV}: `NAME='value'` when the value has no `'` and no line break (literal in
 *       python-dotenv, Node's dotenv and Docker Compose), else `NAME="value"` with `\\`, `\"`, `\n`,
 *       `\r`, `\t` escapes. `$` is written as is: dotenv tools that interpolate `${…}` inside double
 *       quotes will do so.
 *   <li>{@link #JSON}: one object, name → value.
 *   <li>{@link #DOCKER}: `docker run --env-file` lines `NAME=value`, taken verbatim by Docker, which
 *       therefore cannot carry a line break: such a value is refused.
 * </ul>
 * No process environment can hold a NUL character; every format but JSON refuses one. A name a
 * format cannot hold (not a shell identifier for SHELL; a line break, `=` or a leading `#` for
 * DOTENV and DOCKER) is left out with a warning.
 */
public enum EnvFormat {
    SHELL {
        @Override
        void write(StringBuilder out, String name, String value, Consumer<String> warnings) {
            if (!SHELL_NAME.matcher(name).matches()) {
                // A shell cannot assign it; `env exec` and the json format still carry it.
                warnings.accept("skipped " + name + ": not a shell variable name (use env exec or --format json)");
                return;
            }
            out.append("export ").append(name).append("='").append(value.replace("'", "'\\''")).append("'\n");
        }
    },
    DOTENV {
        @Override
        void write(StringBuilder out, String name, String value, Consumer<String> warnings) {
            if (!lineName(name, "a dotenv file", warnings)) {
                return;
            }
            out.append(name).append('=');
            if (value.indexOf('\'') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
                out.append('\'').append(value).append("'\n");
                return;
            }
            out.append('"');
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                switch (c) {
                    case '\\' -> out.append("\\\\");
                    case '"' -> out.append("\\\"");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> out.append(c);
                }
            }
            out.append("\"\n");
        }
    },
    JSON {
        @Override
        public String render(Map<String, String> variables, Consumer<String> warnings) {
            try {
                return JSON_WRITER.writeValueAsString(new LinkedHashMap<>(variables)) + "\n";
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write JSON", e);
            }
        }

        @Override
        void write(StringBuilder out, String name, String value, Consumer<String> warnings) {
            throw new UnsupportedOperationException();
        }
    },
    DOCKER {
        @Override
        void write(StringBuilder out, String name, String value, Consumer<String> warnings) {
            if (!lineName(name, "a docker --env-file", warnings)) {
                return;
            }
            if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("variable " + name + " has a line break in its value, which a docker"
                        + " --env-file cannot carry (use --format shell, dotenv or json, or env exec)");
            }
            out.append(name).append('=').append(value).append('\n');
        }
    };

    private static final Pattern SHELL_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /**
     * Names a `NAME=value` line can hold: printable ASCII without `=` (as Kubernetes' relaxed env
     * var names), not starting with `#` (a comment line). A line break or `=` in a name would start
     * another variable.
     */
    private static final Pattern LINE_NAME = Pattern.compile("[!-<>-~&&[^#]][!-<>-~]*");

    /** True when {@code name} can be written as a line; else warns and returns false. */
    private static boolean lineName(String name, String what, Consumer<String> warnings) {
        if (LINE_NAME.matcher(name).matches()) {
            return true;
        }
        warnings.accept("skipped " + name.replaceAll("\\p{Cntrl}", "?") + ": not a name " + what
                + " can hold (use env exec or --format json)");
        return false;
    }
    private static final ObjectMapper JSON_WRITER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * The variables in this format, in map order.
     *
     * @param warnings receives a line for each variable left out (not representable, but harmless to drop)
     * @throws IllegalArgumentException when a value cannot be written in this format
     */
    public String render(Map<String, String> variables, Consumer<String> warnings) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> e : variables.entrySet()) {
            if (e.getValue().indexOf('\0') >= 0) {
                throw new IllegalArgumentException("variable " + e.getKey()
                        + " has a NUL character in its value, which no process environment can hold");
            }
            write(out, e.getKey(), e.getValue(), warnings);
        }
        return out.toString();
    }

    abstract void write(StringBuilder out, String name, String value, Consumer<String> warnings);

    /** `shell`, `dotenv`, `json` or `docker`, any case. */
    public static EnvFormat parse(String text) {
        for (EnvFormat f : values()) {
            if (f.name().equalsIgnoreCase(text)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format \"" + text + "\" (supported: shell, dotenv, json, docker)");
    }
}
