package dev.clusterdns.dns.forward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.dns.pipeline.Next;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import dev.clusterdns.dns.pipeline.QueryProtocol;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class ForwardStageTest {
    static final InetSocketAddress LOCAL_CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    static final Next REFUSE = q -> CompletableFuture.completedFuture(Reply.error(q, Rcode.REFUSED));
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
    }

    static Message answer(Message q, String ip) {
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.RA);
        r.addRecord(q.getQuestion(), Section.QUESTION);
        try {
            r.addRecord(new ARecord(q.getQuestion().getName(), DClass.IN, 300, java.net.InetAddress.getByName(ip)), Section.ANSWER);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
        return r;
    }

    TestUpstream upstream(String ip) throws Exception {
        TestUpstream u = TestUpstream.answering(q -> answer(q, ip));
        closing.add(u);
        return u;
    }

    ForwardStage forwarder(ForwardConfig config) {
        ForwardStage f = new ForwardStage(config.withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(5)), new PrometheusRegistry());
        closing.add(f);
        return f;
    }

    static Query query(String name, int type, InetSocketAddress client) throws Exception {
        Message m = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
        return Query.of(m, client, QueryProtocol.UDP);
    }

    static Message ask(ForwardStage f, Query q) throws Exception {
        return f.serve(q, REFUSE).toCompletableFuture().get(10, TimeUnit.SECONDS).message();
    }

    static String firstA(Message m) {
        for (Record r : m.getSection(Section.ANSWER)) {
            if (r instanceof ARecord a) {
                return a.getAddress().getHostAddress();
            }
        }
        return null;
    }

    @Test
    void forwardsWithRandomIdsAndReturnsTheUpstreamAnswer() throws Exception {
        TestUpstream up = upstream("192.0.2.7");
        ForwardStage f = forwarder(ForwardConfig.defaults(List.of(up.address())));
        Set<Integer> ids = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            Query q = query("www.example.com.", Type.A, LOCAL_CLIENT);
            q.message().getHeader().setID(4242);
            Message r = ask(f, q);
            assertEquals(Rcode.NOERROR, r.getRcode());
            assertEquals("192.0.2.7", firstA(r));
        }
        for (Message m : up.clientQueries()) {
            ids.add(m.getHeader().getID());
        }
        assertTrue(ids.size() > 1, "the upstream saw random IDs, not the client's: " + ids);
        assertEquals(1, up.udpQueries.stream().filter(m -> m.getQuestion().getType() == Type.HINFO).count(),
                "one loop probe, before the upstream's first use");
        assertFalse(ids.contains(4242) && ids.size() == 1);
    }

    @Test
    void ednsRepliesAreRelayedWithoutTheUpstreamsOpt() throws Exception {
        TestUpstream up = TestUpstream.answering(q -> {
            Message r = answer(q, "192.0.2.8");
            r.addRecord(new org.xbill.DNS.OPTRecord(1232, 0, 0), Section.ADDITIONAL);
            return r;
        });
        closing.add(up);
        ForwardStage f = forwarder(ForwardConfig.defaults(List.of(up.address())));
        Query q = query("edns.example.com.", Type.A, LOCAL_CLIENT);
        q.message().addRecord(new org.xbill.DNS.OPTRecord(1232, 0, 0), Section.ADDITIONAL);
        Message r = ask(f, Query.of(q.message(), LOCAL_CLIENT, QueryProtocol.UDP));
        assertEquals("192.0.2.8", firstA(r));
        assertEquals(null, r.getOPT(), "the transport adds our own OPT");
        assertTrue(up.clientQueries().get(0).getOPT() != null, "the client's EDNS goes upstream");
    }

    @Test
    void truncatedUdpReplyIsRetriedOverTcp() throws Exception {
        TestUpstream up = new TestUpstream(q -> {
            Message tc = new Message(q.getHeader().getID());
            tc.getHeader().setFlag(Flags.QR);
            tc.getHeader().setFlag(Flags.TC);
            tc.addRecord(q.getQuestion(), Section.QUESTION);
            return List.of(tc);
        }, q -> answer(q, "192.0.2.99"));
        closing.add(up);
        ForwardStage f = forwarder(ForwardConfig.defaults(List.of(up.address())));
        Message r = ask(f, query("big.example.com.", Type.A, LOCAL_CLIENT));
        assertEquals("192.0.2.99", firstA(r));
        assertEquals(1, up.tcpQueries.size());
    }

    @Test
    void spoofedRepliesWithWrongIdOrQuestionAreIgnored() throws Exception {
        TestUpstream up = new TestUpstream(q -> {
            Message wrongId = answer(q, "6.6.6.6");
            wrongId.getHeader().setID((q.getHeader().getID() + 1) & 0xffff);
            Message wrongQuestion;
            try {
                Message other = Message.newQuery(Record.newRecord(Name.fromString("evil.example."), Type.A, DClass.IN));
                other.getHeader().setID(q.getHeader().getID());
                wrongQuestion = answer(other, "6.6.6.7");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            return List.of(wrongId, wrongQuestion, answer(q, "192.0.2.1"));
        }, q -> null);
        closing.add(up);
        ForwardStage f = forwarder(ForwardConfig.defaults(List.of(up.address())));
        assertEquals("192.0.2.1", firstA(ask(f, query("bank.example.com.", Type.A, LOCAL_CLIENT))));
    }

    @Test
    void failsOverToTheNextUpstreamAndServfailsWhenAllFail() throws Exception {
        TestUpstream silent = new TestUpstream(q -> null, q -> null);
        closing.add(silent);
        TestUpstream good = upstream("192.0.2.2");
        ForwardConfig cfg = ForwardConfig.defaults(List.of(silent.address(), good.address()))
                .withPolicy(ForwardPolicy.SEQUENTIAL, 2, 100);
        ForwardStage f = forwarder(cfg);
        assertEquals("192.0.2.2", firstA(ask(f, query("a.example.com.", Type.A, LOCAL_CLIENT))));
        assertEquals(1, silent.clientQueries().size());

        good.close();
        silent.close();
        Message r = ask(f, query("b.example.com.", Type.A, LOCAL_CLIENT));
        assertEquals(Rcode.SERVFAIL, r.getRcode());
    }

    @Test
    void unhealthyUpstreamIsTriedLastUntilHealthChecksSeeItAgain() throws Exception {
        TestUpstream flaky = new TestUpstream(q -> null, q -> null);
        closing.add(flaky);
        TestUpstream good = upstream("192.0.2.3");
        ForwardConfig cfg = ForwardConfig.defaults(List.of(flaky.address(), good.address()))
                .withPolicy(ForwardPolicy.SEQUENTIAL, 1, 100).withHealthCheckInterval(Duration.ofMillis(50));
        ForwardStage f = forwarder(cfg);
        ask(f, query("x.example.com.", Type.A, LOCAL_CLIENT));
        int before = flaky.clientQueries().size();
        ask(f, query("y.example.com.", Type.A, LOCAL_CLIENT));
        // Only health checks (`. NS`) reach the unhealthy upstream now, not client queries.
        assertTrue(flaky.clientQueries().stream().skip(before).allMatch(m -> m.getQuestion().getType() == Type.NS));
        flaky.onUdp(q -> List.of(answer(q, "192.0.2.4")));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String got = null;
        while (System.nanoTime() < deadline && !"192.0.2.4".equals(got)) {
            Thread.sleep(50);
            got = firstA(ask(f, query("z.example.com.", Type.A, LOCAL_CLIENT)));
        }
        assertEquals("192.0.2.4", got, "the recovered upstream is first again (sequential)");
    }

    @Test
    void roundRobinSpreadsQueries() throws Exception {
        TestUpstream a = upstream("192.0.2.10");
        TestUpstream b = upstream("192.0.2.11");
        ForwardStage f = forwarder(ForwardConfig.defaults(List.of(a.address(), b.address())).withPolicy(ForwardPolicy.ROUND_ROBIN, 2, 100));
        for (int i = 0; i < 6; i++) {
            ask(f, query("rr" + i + ".example.com.", Type.A, LOCAL_CLIENT));
        }
        assertEquals(3, a.clientQueries().size());
        assertEquals(3, b.clientQueries().size());
    }

    @Test
    void clientsOutsideTheRecursionAclAreRefused() throws Exception {
        TestUpstream up = upstream("192.0.2.5");
        ForwardStage f = forwarder(ForwardConfig.defaults(List.of(up.address())));
        Message r = ask(f, query("www.example.com.", Type.A, new InetSocketAddress("203.0.113.9", 5353)));
        assertEquals(Rcode.REFUSED, r.getRcode());
        assertEquals(0, up.clientQueries().size());
        Message inside = ask(f, query("www.example.com.", Type.A, new InetSocketAddress("10.1.2.3", 5353)));
        assertEquals("192.0.2.5", firstA(inside));
    }

    @Test
    void beyondMaxConcurrentQueriesAreRefused() throws Exception {
        TestUpstream silent = new TestUpstream(q -> null, q -> null);
        closing.add(silent);
        ForwardStage f = forwarder(ForwardConfig.defaults(List.of(silent.address())).withPolicy(ForwardPolicy.RANDOM, 0, 1));
        CompletionStage<Reply> pending = f.serve(query("slow.example.com.", Type.A, LOCAL_CLIENT), REFUSE);
        Message second = ask(f, query("other.example.com.", Type.A, LOCAL_CLIENT));
        assertEquals(Rcode.REFUSED, second.getRcode());
        assertEquals(Rcode.SERVFAIL, pending.toCompletableFuture().get(10, TimeUnit.SECONDS).rcode());
    }

    @Test
    void stubDomainsUseTheirOwnUpstreams() throws Exception {
        TestUpstream general = upstream("192.0.2.20");
        TestUpstream corp = upstream("10.9.9.9");
        ForwardStage f = forwarder(ForwardConfig.defaults(List.of(general.address()))
                .withStubDomains(Map.of(Name.fromString("corp.example."), List.of(corp.address()))));
        assertEquals("10.9.9.9", firstA(ask(f, query("intranet.corp.example.", Type.A, LOCAL_CLIENT))));
        assertEquals("10.9.9.9", firstA(ask(f, query("CORP.example.", Type.A, LOCAL_CLIENT))));
        assertEquals("192.0.2.20", firstA(ask(f, query("www.example.", Type.A, LOCAL_CLIENT))));
    }

    @Test
    void noUpstreamsPassesOn() throws Exception {
        ForwardStage f = forwarder(ForwardConfig.defaults(List.of()));
        assertEquals(Rcode.REFUSED, ask(f, query("www.example.com.", Type.A, LOCAL_CLIENT)).getRcode());
    }

    @Test
    void ownListenAddressIsNeverAnUpstream() throws Exception {
        TestUpstream up = upstream("192.0.2.30");
        ForwardConfig cfg = ForwardConfig.defaults(List.of(up.address()))
                .withAccess(ForwardConfig.DEFAULT_ALLOW_RECURSION.stream().map(Cidr::parse).toList(), Set.of(up.address()));
        ForwardStage f = forwarder(cfg);
        assertEquals(Rcode.REFUSED, ask(f, query("www.example.com.", Type.A, LOCAL_CLIENT)).getRcode(), "nothing to forward to");
        assertEquals(0, up.clientQueries().size());
        assertTrue(ForwardStage.isOwnAddress(new InetSocketAddress("127.0.0.1", 1053), Set.of(new InetSocketAddress("0.0.0.0", 1053))));
        assertFalse(ForwardStage.isOwnAddress(new InetSocketAddress("127.0.0.1", 53), Set.of(new InetSocketAddress("0.0.0.0", 1053))));
    }

    @Test
    void loopProbeThatComesBackIsDetectedAndNotForwardedAgain() throws Exception {
        ForwardStage[] self = new ForwardStage[1];
        // An upstream that forwards everything to us, as systemd-resolved pointing back at us would.
        TestUpstream loop = new TestUpstream(q -> {
            Message back = self[0].serve(Query.of(q, LOCAL_CLIENT, QueryProtocol.UDP), REFUSE).toCompletableFuture().join().message();
            back.getHeader().setID(q.getHeader().getID());
            back.addRecord(q.getQuestion(), Section.QUESTION);
            return List.of(back);
        }, q -> null);
        closing.add(loop);
        self[0] = forwarder(ForwardConfig.defaults(List.of(loop.address())));
        self[0].probeForLoops();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (self[0].loopsDetected() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, self[0].loopsDetected());
        Thread.sleep(200);
        assertEquals(1, loop.udpQueries.size(), "the probe reached the upstream once and was not amplified");
        // The looping upstream is no longer used.
        assertEquals(Rcode.SERVFAIL, ask(self[0], query("www.example.com.", Type.A, LOCAL_CLIENT)).getRcode());
        assertEquals(1, loop.udpQueries.size());
    }
}
