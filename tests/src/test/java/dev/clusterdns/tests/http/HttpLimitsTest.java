package dev.clusterdns.tests.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.tests.ServeProcess;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `serve`'s HTTP endpoint against hostile clients, as in issue 14: slowloris, huge headers, `..` paths. */
class HttpLimitsTest {

    @Test
    void healthAnswersWhileAThousandSlowClientsHoldPartialHeaders() throws Exception {
        try (ServeProcess serve = ServeProcess.start()) {
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < 1000; i++) {
                    Socket s = new Socket(InetAddress.getLoopbackAddress(), serve.httpPort());
                    slow.add(s);
                    s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\nX-a: ".getBytes(StandardCharsets.US_ASCII));
                }
                for (int round = 0; round < 8; round++) {
                    for (Socket s : slow) {
                        try {
                            s.getOutputStream().write('a');
                        } catch (IOException dropped) {
                            // the server dropped it to make room: that is the point
                        }
                    }
                    assertEquals(200, serve.httpStatus("/health"), "round " + round);
                    assertEquals(200, serve.httpStatus("/ready"), "round " + round);
                }
            } finally {
                for (Socket s : slow) {
                    s.close();
                }
            }
        }
    }

    @Test
    void hugeHeaderIs431AndDotDotIs400() throws Exception {
        try (ServeProcess serve = ServeProcess.start()) {
            assertTrue(raw(serve, "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(1 << 20) + "\r\n\r\n")
                    .startsWith("HTTP/1.1 431 "));
            String traversal = raw(serve, "GET /metrics/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n");
            assertTrue(traversal.startsWith("HTTP/1.1 400 "), traversal);
            assertEquals(404, serve.httpStatus("/metrics/x"));
            assertTrue(serve.http("/metrics").contains("clusterdns_snapshot_revision"));
        }
    }

    private static String raw(ServeProcess serve, String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), serve.httpPort())) {
            s.setSoTimeout(20_000);
            try {
                s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            } catch (IOException answeredEarly) {
                // the server answers (and stops reading) before a huge request is all sent
            }
            InputStream in = s.getInputStream();
            byte[] head = new byte[64];
            int n = in.readNBytes(head, 0, head.length);
            return new String(head, 0, n, StandardCharsets.US_ASCII);
        }
    }
}
