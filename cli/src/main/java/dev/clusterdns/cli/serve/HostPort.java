package dev.clusterdns.cli.serve;

import java.net.InetSocketAddress;

/** `HOST:PORT`, `[v6]:PORT`, or a bare host (default port) as given on the command line. */
public final class HostPort {
    private HostPort() {}

    public static InetSocketAddress parse(String text, int defaultPort) {
        String host = text;
        int port = defaultPort;
        if (text.startsWith("[")) {
            int end = text.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException("bad address '" + text + "': missing ']'");
            }
            host = text.substring(1, end);
            if (end + 1 < text.length()) {
                port = port(text, text.substring(end + 2));
            }
        } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
            int colon = text.indexOf(':');
            host = text.substring(0, colon);
            port = port(text, text.substring(colon + 1));
        }
        return new InetSocketAddress(host.isEmpty() ? "0.0.0.0" : host, port);
    }

    private static int port(String text, String p) {
        try {
            int v = Integer.parseInt(p);
            if (v < 0 || v > 65535) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad address '" + text + "': port must be 0-65535");
        }
    }
}
