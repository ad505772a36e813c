package dev.clusterdns.dns.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.agent.snapshot.SnapshotPublisher;
import dev.clusterdns.dns.DnsClient;
import dev.clusterdns.dns.DnsServer;
import dev.clusterdns.dns.TestCluster;
import dev.clusterdns.dns.cluster.ClusterOptions;
import dev.clusterdns.dns.cluster.ClusterStage;
import dev.clusterdns.dns.cluster.PodMode;
import dev.clusterdns.dns.pipeline.Pipeline;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.GenericEDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The transport rules (RFC 1035, 6891, 7766, 8906 §8) against a server on real loopback sockets. */
class DnsServerTest {
    private static DnsServer server;
    private static DnsClient client;
    private static PrometheusRegistry registry;

    @BeforeAll
    static void start() throws Exception {
        SnapshotPublisher pub = new SnapshotPublisher();
        pub.publish(TestCluster.snapshot(1));
        ClusterOptions options = new ClusterOptions("cluster.local", 5, PodMode.INSECURE, Set.of(), false, false,
                List.of(Cidr.parse("10.96.0.0/12")), List.of(InetAddress.getLoopbackAddress()));
        registry = new PrometheusRegistry();
        server = DnsServer.start(
                new DnsServer.Config(List.of(new InetSocketAddress("127.0.0.1", 0)), 2, 1232,
                        DnsServer.Config.DEFAULT_TCP_IDLE),
                new Pipeline(List.of(new ClusterStage(pub, options))), DnsMetrics.register(registry));
        client = new DnsClient(server.addresses().get(0));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void answersOverUdpWithHeaderEchoed() throws Exception {
        Message q = DnsClient.query("web.shop.svc.cluster.local.", Type.A);
        Message r = client.udp(q);
        assertEquals(q.getHeader().getID(), r.getHeader().getID());
        assertTrue(r.getHeader().getFlag(Flags.QR));
        assertTrue(r.getHeader().getFlag(Flags.AA));
        assertTrue(r.getHeader().getFlag(Flags.RD), "RD copied");
        assertFalse(r.getHeader().getFlag(Flags.RA));
        assertNull(r.getOPT(), "no OPT without EDNS in the query");
        assertEquals("10.96.0.50", ((ARecord) r.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress());
        q.getHeader().unsetFlag(Flags.RD);
        assertFalse(client.udp(q).getHeader().getFlag(Flags.RD), "RD not invented");
    }

    @Test
    void questionCaseIsEchoedByteForByteAndOwnersFollowIt() throws Exception {
        for (String name : List.of("WeB.ShOp.SvC.cLuStEr.LoCaL.", "nOsUcH.sHoP.sVc.ClUsTeR.lOcAl.")) {
            Message q = DnsClient.query(name, Type.A);
            byte[] wire = q.toWire();
            byte[] reply = client.udpRaw(wire);
            int qEnd = 12 + name.length() + 1 + 4;
            assertArrayEquals(Arrays.copyOfRange(wire, 12, qEnd), Arrays.copyOfRange(reply, 12, qEnd));
            Message r = new Message(reply);
            for (Record rec : r.getSection(Section.ANSWER)) {
                assertEquals(name, rec.getName().toString());
            }
            for (Record rec : r.getSection(Section.AUTHORITY)) {
                assertEquals(name.substring(name.length() - "cluster.local.".length()), rec.getName().toString());
            }
        }
    }

    @Test
    void ednsIsEchoedWithOurSizeDoBitAndNoUnknownOptions() throws Exception {
        Message q = DnsClient.query("web.shop.svc.cluster.local.", Type.A);
        q.addRecord(new OPTRecord(4096, 0, 0, ExtendedFlags.DO | 0x40,
                List.of(new GenericEDNSOption(100, new byte[] {1, 2, 3}))), Section.ADDITIONAL);
        for (Message r : List.of(client.udp(q), client.tcp(q))) {
            OPTRecord opt = r.getOPT();
            assertEquals(1232, opt.getPayloadSize());
            assertEquals(0, opt.getVersion());
            assertEquals(ExtendedFlags.DO, opt.getFlags(), "DO echoed, unknown flags cleared");
            assertTrue(opt.getOptions().isEmpty(), "unknown options are not echoed");
            assertEquals(Rcode.NOERROR, r.getRcode());
            assertEquals(1, r.getSection(Section.ANSWER).size());
        }
        // negative answers (encoded from a dnsjava message) carry the OPT too
        Message neg = client.udp(DnsClient.edns(DnsClient.query("nosuch.shop.svc.cluster.local.", Type.A), 1232));
        assertEquals(Rcode.NXDOMAIN, neg.getRcode());
        assertEquals(1232, neg.getOPT().getPayloadSize());
    }

    /**
     * Negative replies from the wire fast path (a template around the client's question, kept by the
     * zone per offset) are byte for byte what the dnsjava path encodes: a record in the query's
     * authority section sends the same question down that path.
     */
    @Test
    void negativeRepliesFromTheFastPathAreByteIdenticalToTheSlowPath() throws Exception {
        List<String[]> cases = List.of(new String[] {"nosuch.shop.svc.cluster.local.", "A"},
                new String[] {"NoSuCh.ShOp.SvC.CLUSTER.local.", "A"}, new String[] {"other.shop.svc.cluster.local.", "AAAA"},
                new String[] {"a.b.nosuch.shop.svc.cluster.local.", "A"}, new String[] {"nosuch.cluster.local.", "A"},
                new String[] {"nosuch.svc.cluster.local.", "TXT"}, new String[] {"web.shop.svc.cluster.local.", "MX"},
                new String[] {"WEB.shop.svc.cluster.local.", "TXT"}, new String[] {"shop.svc.cluster.local.", "A"},
                new String[] {"77.0.96.10.In-Addr.Arpa.", "PTR"}, new String[] {"50.0.96.10.in-addr.arpa.", "TXT"});
        int negatives = 0;
        for (String[] c : cases) {
            for (int variant = 0; variant < 4; variant++) {
                Message q = DnsClient.query(c[0], Type.value(c[1]));
                if (variant % 2 == 1) {
                    q.getHeader().unsetFlag(Flags.RD);
                    q.getHeader().setFlag(Flags.CD);
                }
                if (variant >= 2) {
                    q.addRecord(new OPTRecord(4096, 0, 0, variant == 3 ? ExtendedFlags.DO : 0), Section.ADDITIONAL);
                }
                byte[] fast = client.udpRaw(q.toWire());
                q.addRecord(Record.fromString(Name.root, Type.TXT, org.xbill.DNS.DClass.IN, 0, "slow", Name.root),
                        Section.AUTHORITY);
                byte[] slow = client.udpRaw(q.toWire());
                Message r = new Message(fast);
                assertTrue(r.getSection(Section.ANSWER).isEmpty(), c[0] + " " + c[1] + " is a negative answer");
                assertEquals(1, r.getSection(Section.AUTHORITY).size());
                assertArrayEquals(slow, fast, c[0] + " " + c[1] + " variant " + variant + ": " + r);
                negatives++;
            }
        }
        assertEquals(cases.size() * 4, negatives);
    }

    /**
     * Positive replies: the first query for a name and type finds the answer in the zone's index and
     * keeps it in the zone's answer table, the second is served from that table; both are byte for
     * byte what the dnsjava path encodes (a record in the query's authority section sends the same
     * question down that path), whatever the spelling, the other types asked of the same name, or EDNS.
     */
    @Test
    void positiveRepliesFromTheAnswerTableAreByteIdenticalToTheSlowPath() throws Exception {
        List<String[]> cases = List.of(new String[] {"web.shop.svc.cluster.local.", "A"},
                new String[] {"WeB.sHoP.svc.cluster.LOCAL.", "A"}, new String[] {"_http._tcp.web.shop.svc.cluster.local.", "SRV"},
                new String[] {"_HTTPS._tcp.web.shop.svc.cluster.local.", "SRV"}, new String[] {"db.shop.svc.cluster.local.", "A"},
                new String[] {"db.shop.svc.cluster.local.", "SRV"}, new String[] {"web.shop.svc.cluster.local.", "A"});
        for (String[] c : cases) {
            for (int variant = 0; variant < 3; variant++) {
                Message q = DnsClient.query(c[0], Type.value(c[1]));
                if (variant == 1) {
                    q.getHeader().unsetFlag(Flags.RD);
                    q.getHeader().setFlag(Flags.CD);
                }
                if (variant == 2) {
                    q.addRecord(new OPTRecord(4096, 0, 0, ExtendedFlags.DO), Section.ADDITIONAL);
                }
                byte[] first = client.udpRaw(q.toWire());
                byte[] again = client.udpRaw(q.toWire());
                q.addRecord(Record.fromString(Name.root, Type.TXT, org.xbill.DNS.DClass.IN, 0, "slow", Name.root),
                        Section.AUTHORITY);
                byte[] slow = client.udpRaw(q.toWire());
                Message r = new Message(first);
                assertEquals(Rcode.NOERROR, r.getRcode(), c[0] + " " + c[1]);
                assertFalse(r.getSection(Section.ANSWER).isEmpty(), c[0] + " " + c[1] + " is answered");
                assertArrayEquals(slow, first, c[0] + " " + c[1] + " variant " + variant + ": " + r);
                assertArrayEquals(slow, again, c[0] + " " + c[1] + " variant " + variant + " from the table");
            }
        }
    }

    @Test
    void unknownEdnsVersionIsBadvers() throws Exception {
        Message q = DnsClient.query("web.shop.svc.cluster.local.", Type.A);
        q.addRecord(new OPTRecord(1232, 0, 1, ExtendedFlags.DO), Section.ADDITIONAL);
        Message r = client.udp(q);
        assertEquals(Rcode.BADVERS, r.getRcode());
        assertEquals(0, r.getOPT().getVersion());
        assertEquals(ExtendedFlags.DO, r.getOPT().getFlags());
        assertFalse(r.getHeader().getFlag(Flags.AA));
        assertTrue(r.getSection(Section.ANSWER).isEmpty());
    }

    @Test
    void otherOpcodesAreNotimp() throws Exception {
        Message q = DnsClient.query("web.shop.svc.cluster.local.", Type.A);
        q.getHeader().setOpcode(15);
        Message r = client.udp(q);
        assertEquals(Rcode.NOTIMP, r.getRcode());
        assertEquals(15, r.getHeader().getOpcode());
        assertFalse(r.getHeader().getFlag(Flags.AA));
        assertTrue(r.getSection(Section.ANSWER).isEmpty());
    }

    @Test
    void otherOpcodesClearRdAndCd() throws Exception {
        Message q = DnsClient.query("web.shop.svc.cluster.local.", Type.A);
        q.getHeader().setOpcode(7);
        q.getHeader().setFlag(Flags.RD);
        q.getHeader().setFlag(Flags.CD);
        Message r = client.udp(q);
        assertEquals(Rcode.NOTIMP, r.getRcode());
        assertFalse(r.getHeader().getFlag(Flags.RD), "RD is defined for QUERY only");
        assertFalse(r.getHeader().getFlag(Flags.CD), "CD is defined for QUERY only");
        assertFalse(r.getHeader().getFlag(Flags.RA));
        Message standard = DnsClient.query("web.shop.svc.cluster.local.", Type.A);
        standard.getHeader().setFlag(Flags.CD);
        Message echoed = client.udp(standard);
        assertTrue(echoed.getHeader().getFlag(Flags.RD) && echoed.getHeader().getFlag(Flags.CD), "QUERY echoes RD and CD");
    }

    @Test
    void twoOptRecordsAreFormerr() throws Exception {
        Message q = DnsClient.edns(DnsClient.query("big.shop.svc.cluster.local.", Type.A), 1232);
        q.addRecord(new OPTRecord(4096, 0, 0, 0), Section.ADDITIONAL);
        byte[] wire = q.toWire();
        assertEquals(2, wire[11], "the query really carries two OPT records");
        Message r = new Message(client.udpRaw(wire));
        assertEquals(Rcode.FORMERR, r.getRcode());
        assertEquals(q.getHeader().getID(), r.getHeader().getID());
        Message tcp = client.tcp(q);
        assertEquals(Rcode.FORMERR, tcp.getRcode());
    }

    @Test
    void anyAtAnExistingNameIsOneRrset() throws Exception {
        Message r = client.udp("web.shop.svc.cluster.local.", Type.ANY);
        assertEquals(Rcode.NOERROR, r.getRcode());
        List<Record> answer = r.getSection(Section.ANSWER);
        assertFalse(answer.isEmpty(), "RFC 8482: not NODATA");
        assertEquals(1, answer.stream().map(x -> x.getName() + "/" + x.getType()).distinct().count(), answer.toString());
        assertEquals(Type.A, answer.get(0).getType());
        assertEquals(Type.ANY, r.getQuestion().getType(), "the question is echoed as asked");
        Message srv = client.udp("_http._tcp.web.shop.svc.cluster.local.", Type.ANY);
        assertEquals(1, srv.getSection(Section.ANSWER).stream().map(Record::getType).distinct().count(), srv.toString());
        assertEquals(Rcode.NXDOMAIN, client.udp("nosuch.shop.svc.cluster.local.", Type.ANY).getRcode());
    }

    @Test
    void malformedPacketsGetFormerrOrAreDropped() throws Exception {
        byte[] junk = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 'a', 'b'};
        Message r = new Message(client.udpRaw(junk));
        assertEquals(0x1234, r.getHeader().getID());
        assertEquals(Rcode.FORMERR, r.getRcode());
        assertTrue(r.getHeader().getFlag(Flags.RD));
        byte[] noQuestion = {0x22, 0x22, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0};
        assertEquals(Rcode.FORMERR, new Message(client.udpRaw(noQuestion)).getRcode());
        assertThrows(SocketTimeoutException.class, () -> client.udpRaw(new byte[] {1, 2, 3}), "short: dropped");
        byte[] response = DnsClient.query("web.shop.svc.cluster.local.", Type.A).toWire();
        response[2] |= (byte) 0x80;
        assertThrows(SocketTimeoutException.class, () -> client.udpRaw(response), "responses are never answered");
        // still serving
        assertEquals(Rcode.NOERROR, client.udp("web.shop.svc.cluster.local.", Type.A).getRcode());
    }

    @Test
    void largeAnswersAreTruncatedOverUdpAndCompleteOverTcp() throws Exception {
        Message plain = client.udp("big.shop.svc.cluster.local.", Type.A);
        assertTrue(plain.getHeader().getFlag(Flags.TC), "512 bytes without EDNS");
        assertTrue(plain.getSection(Section.ANSWER).isEmpty(), "no partial RRset");
        Message edns = client.udp(DnsClient.edns(DnsClient.query("big.shop.svc.cluster.local.", Type.A), 4096));
        assertTrue(edns.getHeader().getFlag(Flags.TC), "capped at our 1232");
        Message tcp = client.tcp(DnsClient.query("big.shop.svc.cluster.local.", Type.A));
        assertFalse(tcp.getHeader().getFlag(Flags.TC));
        assertEquals(100, tcp.getSection(Section.ANSWER).size());
        Message small = client.udp(DnsClient.edns(DnsClient.query("_http._tcp.big.shop.svc.cluster.local.", Type.SRV), 512));
        assertTrue(small.getHeader().getFlag(Flags.TC));
    }

    @Test
    void tcpServesPipelinedQueriesOnOneConnection() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(server.addresses().get(0), 3000);
            s.setSoTimeout(3000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            Set<Integer> ids = new HashSet<>();
            for (String name : List.of("web.shop.svc.cluster.local.", "db.shop.svc.cluster.local.",
                    "nosuch.shop.svc.cluster.local.")) {
                Message q = DnsClient.query(name, Type.A);
                ids.add(q.getHeader().getID());
                byte[] w = q.toWire();
                out.writeShort(w.length);
                out.write(w);
            }
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            Set<Integer> got = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                byte[] r = new byte[in.readUnsignedShort()];
                in.readFully(r);
                got.add(new Message(r).getHeader().getID());
            }
            assertEquals(ids, got);
        }
    }

    @Test
    void tcpReassemblesSplitQueriesAndClosesIdleConnections() throws Exception {
        try (DnsServer idle = DnsServer.start(new DnsServer.Config(List.of(new InetSocketAddress("127.0.0.1", 0)), 1,
                1232, java.time.Duration.ofMillis(300)), new Pipeline(List.of()), DnsMetrics.unregistered());
                Socket s = new Socket()) {
            s.connect(idle.addresses().get(0), 3000);
            s.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            Message q = DnsClient.query("example.org.", Type.A);
            byte[] w = q.toWire();
            out.writeShort(w.length);
            out.write(w, 0, 5);
            out.flush();
            Thread.sleep(50);
            out.write(w, 5, w.length - 5);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            byte[] r = new byte[in.readUnsignedShort()];
            in.readFully(r);
            assertEquals(q.getHeader().getID(), new Message(r).getHeader().getID());
            assertEquals(-1, in.read(), "the server closes an idle connection");
        }
    }

    @Test
    void oneTcpClientCannotQueueUnboundedWork() throws Exception {
        java.util.concurrent.LinkedBlockingQueue<java.util.concurrent.CompletableFuture<dev.clusterdns.dns.pipeline.Reply>>
                held = new java.util.concurrent.LinkedBlockingQueue<>();
        java.util.concurrent.atomic.AtomicInteger seen = new java.util.concurrent.atomic.AtomicInteger();
        dev.clusterdns.dns.pipeline.Stage slow = new dev.clusterdns.dns.pipeline.Stage() {
            @Override
            public String name() {
                return "slow";
            }

            @Override
            public java.util.concurrent.CompletionStage<dev.clusterdns.dns.pipeline.Reply> serve(
                    dev.clusterdns.dns.pipeline.Query q, dev.clusterdns.dns.pipeline.Next next) {
                java.util.concurrent.CompletableFuture<dev.clusterdns.dns.pipeline.Reply> f =
                        new java.util.concurrent.CompletableFuture<>();
                seen.incrementAndGet();
                held.add(f);
                return f.thenCompose(x -> next.serve(q));
            }
        };
        int total = TcpHandler.MAX_IN_FLIGHT + 72;
        try (DnsServer s = DnsServer.start(DnsServer.Config.of(List.of(new InetSocketAddress("127.0.0.1", 0))),
                new Pipeline(List.of(slow)), DnsMetrics.unregistered());
                Socket socket = new Socket()) {
            socket.connect(s.addresses().get(0), 3000);
            socket.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            for (int i = 0; i < total; i++) {
                byte[] w = DnsClient.query("q" + i + ".example.", Type.A).toWire();
                out.writeShort(w.length);
                out.write(w);
            }
            out.flush();
            while (seen.get() < TcpHandler.MAX_IN_FLIGHT) {
                Thread.sleep(10);
            }
            Thread.sleep(200);
            assertEquals(TcpHandler.MAX_IN_FLIGHT, seen.get(), "reading paused at the in-flight limit");
            DataInputStream in = new DataInputStream(socket.getInputStream());
            for (int answered = 0; answered < total; answered++) {
                java.util.concurrent.CompletableFuture<dev.clusterdns.dns.pipeline.Reply> f =
                        held.poll(10, java.util.concurrent.TimeUnit.SECONDS);
                assertTrue(f != null, "query " + answered + " reached the pipeline");
                f.complete(null);
                byte[] r = new byte[in.readUnsignedShort()];
                in.readFully(r);
                assertEquals(Rcode.REFUSED, new Message(r).getRcode());
            }
        }
    }

    @Test
    void axfrStreamsOverTcpWithSoaFirstAndLastAndIsRefusedOverUdp() throws Exception {
        Message q = DnsClient.query("cluster.local.", Type.AXFR);
        assertEquals(Rcode.REFUSED, client.udp(q).getRcode());
        List<Record> records = client.transfer(q);
        assertInstanceOf(SOARecord.class, records.get(0));
        assertInstanceOf(SOARecord.class, records.get(records.size() - 1));
        assertEquals(2, records.stream().filter(SOARecord.class::isInstance).count());
        assertTrue(records.size() > 200, "big enough to need several messages: " + records.size());
        assertTrue(records.stream().anyMatch(rec -> rec.getName().toString().equals("web.shop.svc.cluster.local.")
                && rec.getType() == Type.A));
    }

    @Test
    void ixfrWithTheCurrentSerialIsOneSoa() throws Exception {
        SOARecord current = (SOARecord) client.udp("cluster.local.", Type.SOA).getSection(Section.ANSWER).get(0);
        Message ixfr = DnsClient.query("cluster.local.", Type.IXFR);
        ixfr.addRecord(new SOARecord(current.getName(), current.getDClass(), 0, current.getHost(), current.getAdmin(),
                current.getSerial(), 0, 0, 0, 0), Section.AUTHORITY);
        Message r = client.tcp(ixfr);
        assertEquals(1, r.getSection(Section.ANSWER).size());
        assertEquals(current.getSerial(), ((SOARecord) r.getSection(Section.ANSWER).get(0)).getSerial());
        Message old = DnsClient.query("cluster.local.", Type.IXFR);
        old.addRecord(new SOARecord(current.getName(), current.getDClass(), 0, current.getHost(), current.getAdmin(),
                current.getSerial() - 1, 0, 0, 0, 0), Section.AUTHORITY);
        List<Record> full = client.transfer(old);
        assertTrue(full.size() > 10, "an older serial gets the whole zone");
    }

    @Test
    void namesOutsideEveryZoneWithoutUpstreamAreRefused() throws Exception {
        Message r = client.udp("example.org.", Type.A);
        assertEquals(Rcode.REFUSED, r.getRcode());
        assertFalse(r.getHeader().getFlag(Flags.AA));
    }

    @Test
    void servesIpv6ListenAddresses() throws Exception {
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 0);
        DnsServer server6;
        try {
            server6 = DnsServer.start(DnsServer.Config.of(List.of(v6)), new Pipeline(List.of()), DnsMetrics.unregistered());
        } catch (BindException e) {
            org.junit.jupiter.api.Assumptions.abort("no IPv6 loopback here: " + e.getMessage());
            return;
        }
        try (server6) {
            DnsClient c = new DnsClient(server6.addresses().get(0));
            assertEquals(Rcode.REFUSED, c.udp("example.org.", Type.A).getRcode());
            assertEquals(Rcode.REFUSED, c.tcp(DnsClient.query("example.org.", Type.A)).getRcode());
        }
    }

    @Test
    void anAddressInUseFailsWithTheAddressInTheMessage() {
        InetSocketAddress taken = server.addresses().get(0);
        BindException e = assertThrows(BindException.class, () -> DnsServer.start(
                DnsServer.Config.of(List.of(taken)), new Pipeline(List.of()), DnsMetrics.unregistered()));
        assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getPort()), e.getMessage());
    }

    @Test
    void metricsCountRequestsAndResponses() throws Exception {
        client.udp("web.shop.svc.cluster.local.", Type.SRV);
        client.tcp(DnsClient.query("web.shop.svc.cluster.local.", Type.SRV));
        double udp = 0;
        double tcp = 0;
        for (var s : registry.scrape()) {
            if (s instanceof CounterSnapshot c && c.getMetadata().getName().equals("coredns_dns_requests")) {
                for (var d : c.getDataPoints()) {
                    if (d.getLabels().get("type").equals("SRV")) {
                        if (d.getLabels().get("proto").equals("udp")) {
                            udp += d.getValue();
                        } else {
                            tcp += d.getValue();
                        }
                    }
                }
            }
        }
        assertTrue(udp >= 1 && tcp >= 1, "udp " + udp + " tcp " + tcp);
        // The `plugin` label names the stage that answered (CoreDNS's responses metric).
        double byCluster = 0;
        for (var s : registry.scrape()) {
            if (s instanceof CounterSnapshot c && c.getMetadata().getName().equals("coredns_dns_responses")) {
                for (var d : c.getDataPoints()) {
                    if (d.getLabels().get("plugin").equals("cluster") && d.getLabels().get("rcode").equals("NOERROR")) {
                        byCluster += d.getValue();
                    }
                    assertTrue(d.getValue() == 0 || !d.getLabels().get("rcode").equals("NOERROR")
                            || !d.getLabels().get("plugin").isEmpty(), "NOERROR counted without its stage: " + d.getLabels());
                }
            }
        }
        assertTrue(byCluster >= 2, "replies by the cluster stage: " + byCluster);
    }

    static void ignore(IOException e) {}
}
