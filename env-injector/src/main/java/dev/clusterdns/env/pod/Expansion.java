package dev.clusterdns.env.pod;

import java.util.function.Function;

/**
 * kubelet's `$(VAR)` expansion (`third_party/forked/golang/expansion`): `$(NAME)` is replaced when
 * NAME resolves and kept literally when not, `$$` is a literal `$`, any other `$x` and an
 * unterminated `$(` are copied as they are.
 */
final class Expansion {
    private Expansion() {}

    /** @param lookup the value of a name, or null when it is undefined */
    static String expand(String input, Function<String, String> lookup) {
        StringBuilder out = new StringBuilder(input.length());
        int n = input.length();
        int i = 0;
        while (i < n) {
            char c = input.charAt(i);
            if (c != '$' || i + 1 >= n) {
                out.append(c);
                i++;
                continue;
            }
            char next = input.charAt(i + 1);
            if (next == '$') {
                out.append('$');
                i += 2;
            } else if (next == '(') {
                int close = input.indexOf(')', i + 2);
                if (close < 0) {
                    out.append(input, i, n);
                    i = n;
                } else {
                    String name = input.substring(i + 2, close);
                    String value = lookup.apply(name);
                    out.append(value != null ? value : "$(" + name + ")");
                    i = close + 1;
                }
            } else {
                out.append('$').append(next);
                i += 2;
            }
        }
        return out.toString();
    }
}
