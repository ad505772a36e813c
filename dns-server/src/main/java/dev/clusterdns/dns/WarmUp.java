package dev.clusterdns.dns;

import dev.clusterdns.dns.pipeline.Pipeline;
import dev.clusterdns.dns.transport.DnsMetrics;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * Asks a few questions of the cluster zone over UDP and TCP before `/ready` opens, so class loading
 * and JIT compilation of the query path are not paid by the first client (about a second).
 *
 * <p>The questions go to a throwaway server on a loopback port with the same pipeline and settings
 * but metrics of its own and no query log: the served addresses' counters and `--log-queries` show
 * only clients' queries, as CoreDNS's do on a fresh start.
 */
public final class WarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);
    private static final int ROUNDS = 20;
    private static final int TCP_ROUNDS = 2;
    private static final int TIMEOUT_MILLIS = 2000;

    private WarmUp() {
    }

    /** Runs the warm-up for a server configured as {@code like}; a failure is logged, never thrown. */
    public static void run(DnsServer.Config like, Pipeline pipeline, String domain) {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        DnsServer.Config config = new DnsServer.Config(List.of(new InetSocketAddress(loopback, 0)), 1,
                like.ednsSize(), like.tcpIdle(), false, like.limits());
        try (DnsServer server = DnsServer.start(config, pipeline, DnsMetrics.unregistered())) {
            ask(server.addresses().get(0), domain);
        } catch (IOException e) {
            LOG.debug("DNS warm-up skipped: {}", e.toString());
        }
    }

    private static void ask(InetSocketAddress target, String domain) throws IOException {
        String[][] questions = {{domain + ".", "SOA"}, {"dns-version." + domain + ".", "TXT"},
            {"warm-up.invalid-namespace.svc." + domain + ".", "A"}, {"kubernetes.default.svc." + domain + ".", "SRV"}};
        for (int round = 0; round < ROUNDS; round++) {
            for (String[] q : questions) {
                byte[] wire = Message.newQuery(Record.newRecord(Name.fromString(q[0]), Type.value(q[1]), DClass.IN)).toWire();
                try (DatagramSocket s = new DatagramSocket()) {
                    s.setSoTimeout(TIMEOUT_MILLIS);
                    s.send(new DatagramPacket(wire, wire.length, target));
                    s.receive(new DatagramPacket(new byte[4096], 4096));
                }
                if (round < TCP_ROUNDS) {
                    try (Socket s = new Socket()) {
                        s.connect(target, TIMEOUT_MILLIS);
                        s.setSoTimeout(TIMEOUT_MILLIS);
                        DataOutputStream out = new DataOutputStream(s.getOutputStream());
                        out.writeShort(wire.length);
                        out.write(wire);
                        out.flush();
                        DataInputStream in = new DataInputStream(s.getInputStream());
                        in.readFully(new byte[in.readUnsignedShort()]);
                    }
                }
            }
        }
    }
}
