package dev.clusterdns.cli.http;

import java.time.Duration;

/**
 * What one HTTP client may cost the server. A request must arrive whole within {@code requestTimeout}
 * of the connection opening (or of the previous response), so a client that trickles a header
 * (slowloris) is cut off; {@code idleTimeout} closes connections that neither send nor take data
 * (a quiet watch stays open). Above {@code maxConnections} the connection that has waited longest
 * for its request is dropped to make room, so a liveness probe always gets through.
 *
 * @param maxInitialLineBytes request line (method, path, query); longer gets 414
 * @param maxHeaderBytes all header lines together; larger gets 431
 * @param maxBodyBytes request body; larger gets 413
 */
public record HttpLimits(int maxInitialLineBytes, int maxHeaderBytes, int maxBodyBytes, Duration requestTimeout,
                         Duration idleTimeout, int maxConnections) {

    public HttpLimits {
        if (maxConnections < 1 || maxHeaderBytes < 256 || maxInitialLineBytes < 64 || maxBodyBytes < 0) {
            throw new IllegalArgumentException("HTTP limits out of range: " + maxConnections + " connections, "
                    + maxHeaderBytes + " header bytes, " + maxInitialLineBytes + " request-line bytes");
        }
    }

    /** 8 KiB request line, 16 KiB of headers, 1 MiB body, 10 s to send a request, 120 s idle, 512 connections. */
    public static HttpLimits defaults() {
        return new HttpLimits(8192, 16384, 1 << 20, Duration.ofSeconds(10), Duration.ofSeconds(120), 512);
    }

    public HttpLimits withRequestTimeout(Duration d) {
        return new HttpLimits(maxInitialLineBytes, maxHeaderBytes, maxBodyBytes, d, idleTimeout, maxConnections);
    }

    public HttpLimits withMaxConnections(int n) {
        return new HttpLimits(maxInitialLineBytes, maxHeaderBytes, maxBodyBytes, requestTimeout, idleTimeout, n);
    }
}
