package dev.clusterdns.cli.serve;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The HTTP side of `serve` (`--http-listen`): `/health`, `/ready`, `/metrics` and the read API.
 * Off the DNS and proxy hot paths, so the JDK's small server is enough.
 */
public final class HttpEndpoint implements AutoCloseable {
    private final HttpServer server;

    private HttpEndpoint(HttpServer server) {
        this.server = server;
    }

    public static HttpEndpoint start(InetSocketAddress address) throws IOException {
        HttpServer server = HttpServer.create(address, 64);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "clusterdns-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return new HttpEndpoint(server);
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Routes a path prefix to a handler. */
    public void route(String prefix, HttpHandler handler) {
        server.createContext(prefix, exchange -> {
            try (exchange) {
                handler.handle(exchange);
            } catch (RuntimeException e) {
                send(exchange, 500, "text/plain", "internal error: " + e + "\n");
            }
        });
    }

    public static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
