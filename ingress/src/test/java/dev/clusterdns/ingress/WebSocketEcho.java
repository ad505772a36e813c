package dev.clusterdns.ingress;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Locale;

/** A minimal RFC 6455 server: completes the handshake and echoes small text frames, prefixed "echo:". */
public final class WebSocketEcho implements AutoCloseable {
    private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private final ServerSocket server;
    private final Thread thread;

    public WebSocketEcho(String ip, int port) throws IOException {
        server = new ServerSocket(port, 10, InetAddress.getByName(ip));
        thread = new Thread(this::serve, "ws-echo");
        thread.setDaemon(true);
        thread.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                DataInputStream in = new DataInputStream(s.getInputStream());
                OutputStream out = s.getOutputStream();
                String key = null;
                StringBuilder line = new StringBuilder();
                while (true) {
                    int c = in.read();
                    if (c < 0) {
                        return;
                    }
                    if (c == '\n') {
                        String l = line.toString().trim();
                        line.setLength(0);
                        if (l.isEmpty()) {
                            break;
                        }
                        if (l.toLowerCase(Locale.ROOT).startsWith("sec-websocket-key:")) {
                            key = l.substring(l.indexOf(':') + 1).trim();
                        }
                    } else {
                        line.append((char) c);
                    }
                }
                String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                        .digest((key + GUID).getBytes(StandardCharsets.US_ASCII)));
                out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                while (true) {
                    int b0 = in.read();
                    if (b0 < 0) {
                        return;
                    }
                    int len = in.read() & 0x7f;
                    if (len == 126) {
                        len = in.readUnsignedShort();
                    }
                    byte[] mask = in.readNBytes(4);
                    byte[] payload = in.readNBytes(len);
                    for (int i = 0; i < payload.length; i++) {
                        payload[i] ^= mask[i % 4];
                    }
                    int opcode = b0 & 0x0f;
                    if (opcode == 8) {
                        out.write(new byte[] {(byte) 0x88, 0});
                        out.flush();
                        break;
                    }
                    byte[] reply = opcode == 1 ? ("echo:" + new String(payload, StandardCharsets.UTF_8))
                            .getBytes(StandardCharsets.UTF_8) : payload;
                    out.write(0x80 | opcode);
                    out.write(reply.length);
                    out.write(reply);
                    out.flush();
                }
            } catch (IOException | NoSuchAlgorithmException e) {
                // next connection
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
