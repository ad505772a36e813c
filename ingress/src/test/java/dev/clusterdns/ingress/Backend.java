package dev.clusterdns.ingress;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;

/**
 * A real HTTP server standing in for a pod: answers with its name, what it received (method, path,
 * headers, body length) and counts the connections it saw.
 */
final class Backend implements AutoCloseable {
    final String name;
    final HttpServer server;
    final Set<Integer> clientPorts = ConcurrentHashMap.newKeySet();

    Backend(String name, String ip, int port) throws IOException {
        this.name = name;
        this.server = HttpServer.create(new InetSocketAddress(ip, port), 50);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", ex -> {
            clientPorts.add(ex.getRemoteAddress().getPort());
            long n = 0;
            try (InputStream in = ex.getRequestBody()) {
                byte[] buf = new byte[8192];
                for (int r; (r = in.read(buf)) > 0; ) {
                    n += r;
                }
            }
            StringBuilder sb = new StringBuilder();
            sb.append("backend=").append(name).append('\n');
            sb.append("method=").append(ex.getRequestMethod()).append('\n');
            sb.append("uri=").append(ex.getRequestURI()).append('\n');
            sb.append("body=").append(n).append('\n');
            ex.getRequestHeaders().forEach((k, v) -> sb.append("h.").append(k.toLowerCase(Locale.ROOT)).append('=')
                    .append(String.join(",", v)).append('\n'));
            byte[] b = sb.toString().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", "text/plain");
            if (ex.getRequestURI().getPath().startsWith("/chunked")) {
                ex.sendResponseHeaders(200, 0);
            } else {
                ex.sendResponseHeaders(200, b.length);
            }
            try (OutputStream out = ex.getResponseBody()) {
                out.write(b);
            }
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
