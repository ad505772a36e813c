package dev.clusterdns.dns.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.dns.pipeline.Next;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import dev.clusterdns.dns.pipeline.QueryProtocol;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class CacheStageTest {
    static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    final AtomicInteger upstreamCalls = new AtomicInteger();

    CacheStage cache(CacheConfig config) {
        return new CacheStage(config, new PrometheusRegistry(), nanos::get);
    }

    void advance(long seconds) {
        nanos.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    }

    Next upstream(Function<Query, Message> answer) {
        return q -> {
            upstreamCalls.incrementAndGet();
            return CompletableFuture.completedFuture(Reply.of(answer.apply(q)));
        };
    }

    static Message answerA(Query q, long ttl) {
        Message m = reply(q, Rcode.NOERROR);
        try {
            m.addRecord(new ARecord(q.name(), DClass.IN, ttl, InetAddress.getByName("192.0.2.1")), Section.ANSWER);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return m;
    }

    static Message reply(Query q, int rcode) {
        Message m = new Message(q.id());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.RA);
        m.getHeader().setRcode(rcode);
        m.addRecord(q.message().getQuestion(), Section.QUESTION);
        return m;
    }

    static Message negative(Query q, int rcode, long soaTtl, long minimum) {
        Message m = reply(q, rcode);
        try {
            m.addRecord(new SOARecord(Name.fromString("example."), DClass.IN, soaTtl, Name.fromString("ns.example."),
                    Name.fromString("admin.example."), 1, 3600, 600, 86400, minimum), Section.AUTHORITY);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return m;
    }

    static Query query(String name, int type) throws Exception {
        return Query.of(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)), CLIENT, QueryProtocol.UDP);
    }

    static Message ask(CacheStage c, Query q, Next next) throws Exception {
        return c.serve(q, next).toCompletableFuture().get(5, TimeUnit.SECONDS).message();
    }

    static long ttl(Message m, int section) {
        return m.getSection(section).get(0).getTTL();
    }

    @Test
    void positiveAnswersAreCachedAndTheirTtlCountsDown() throws Exception {
        CacheStage c = cache(CacheConfig.defaults());
        Next next = upstream(q -> answerA(q, 300));
        assertEquals(300, ttl(ask(c, query("www.example.", Type.A), next), Section.ANSWER));
        advance(100);
        Message hit = ask(c, query("WWW.Example.", Type.A), next);
        assertEquals(200, ttl(hit, Section.ANSWER));
        assertFalse(hit.getHeader().getFlag(Flags.AA), "cached answers are not authoritative");
        assertEquals(1, upstreamCalls.get());
        advance(201);
        ask(c, query("www.example.", Type.A), next);
        assertEquals(2, upstreamCalls.get(), "expired entries are fetched again");
    }

    @Test
    void ttlsAreClampedToTheConfiguredBounds() throws Exception {
        CacheStage c = cache(CacheConfig.defaults().withTtls(5, 3600, 1800));
        ask(c, query("short.example.", Type.A), upstream(q -> answerA(q, 1)));
        Message hit = ask(c, query("short.example.", Type.A), upstream(q -> answerA(q, 1)));
        assertEquals(5, ttl(hit, Section.ANSWER), "the minimum TTL holds for a 1 s answer");
        assertEquals(1, upstreamCalls.get());
        ask(c, query("long.example.", Type.A), upstream(q -> answerA(q, 86400)));
        assertEquals(3600, ttl(ask(c, query("long.example.", Type.A), upstream(q -> answerA(q, 86400))), Section.ANSWER));
    }

    @Test
    void negativeAnswersUseTheSoaMinimumPerRfc2308() throws Exception {
        CacheStage c = cache(CacheConfig.defaults());
        Next nx = upstream(q -> negative(q, Rcode.NXDOMAIN, 3600, 60));
        ask(c, query("missing.example.", Type.A), nx);
        advance(10);
        Message hit = ask(c, query("missing.example.", Type.A), nx);
        assertEquals(Rcode.NXDOMAIN, hit.getRcode());
        assertEquals(50, ttl(hit, Section.AUTHORITY));
        assertEquals(1, upstreamCalls.get());
        advance(51);
        ask(c, query("missing.example.", Type.A), nx);
        assertEquals(2, upstreamCalls.get());

        Next nodata = upstream(q -> negative(q, Rcode.NOERROR, 30, 600));
        ask(c, query("nodata.example.", Type.AAAA), nodata);
        Message n = ask(c, query("nodata.example.", Type.AAAA), nodata);
        assertEquals(Rcode.NOERROR, n.getRcode());
        assertEquals(0, n.getSection(Section.ANSWER).size());
        assertEquals(30, ttl(n, Section.AUTHORITY));
        assertEquals(3, upstreamCalls.get());
    }

    @Test
    void negativeWithoutSoaTruncatedAndServfailAreNotCached() throws Exception {
        CacheStage c = cache(CacheConfig.defaults());
        Next noSoa = upstream(q -> reply(q, Rcode.NXDOMAIN));
        ask(c, query("a.example.", Type.A), noSoa);
        ask(c, query("a.example.", Type.A), noSoa);
        assertEquals(2, upstreamCalls.get());
        Next truncated = upstream(q -> {
            Message m = answerA(q, 300);
            m.getHeader().setFlag(Flags.TC);
            return m;
        });
        ask(c, query("b.example.", Type.A), truncated);
        ask(c, query("b.example.", Type.A), truncated);
        assertEquals(4, upstreamCalls.get());
        Next fail = upstream(q -> reply(q, Rcode.SERVFAIL));
        ask(c, query("c.example.", Type.A), fail);
        ask(c, query("c.example.", Type.A), fail);
        assertEquals(6, upstreamCalls.get());
    }

    @Test
    void dnssecOkIsPartOfTheKey() throws Exception {
        CacheStage c = cache(CacheConfig.defaults());
        Next next = upstream(q -> answerA(q, 300));
        ask(c, query("k.example.", Type.A), next);
        Query withDo = query("k.example.", Type.A);
        withDo.message().addRecord(new OPTRecord(1232, 0, 0, ExtendedFlags.DO), Section.ADDITIONAL);
        ask(c, Query.of(withDo.message(), CLIENT, QueryProtocol.UDP), next);
        assertEquals(2, upstreamCalls.get());
    }

    @Test
    void staleEntriesAreServedWhenTheUpstreamFails() throws Exception {
        CacheStage c = cache(CacheConfig.defaults().withServeStale(Duration.ofHours(1)));
        ask(c, query("www.example.", Type.A), upstream(q -> answerA(q, 60)));
        advance(120);
        Message stale = ask(c, query("www.example.", Type.A), upstream(q -> reply(q, Rcode.SERVFAIL)));
        assertEquals(Rcode.NOERROR, stale.getRcode());
        assertEquals(CacheConfig.STALE_TTL, ttl(stale, Section.ANSWER));
        Message thrown = c.serve(query("www.example.", Type.A), q -> CompletableFuture.failedFuture(new java.io.IOException("down")))
                .toCompletableFuture().get().message();
        assertEquals(Rcode.NOERROR, thrown.getRcode());
        advance(3600);
        Message gone = ask(c, query("www.example.", Type.A), upstream(q -> reply(q, Rcode.SERVFAIL)));
        assertEquals(Rcode.SERVFAIL, gone.getRcode(), "past the stale window the failure shows");
    }

    @Test
    void withoutServeStaleFailuresPassThrough() throws Exception {
        CacheStage c = cache(CacheConfig.defaults());
        ask(c, query("www.example.", Type.A), upstream(q -> answerA(q, 60)));
        advance(61);
        assertEquals(Rcode.SERVFAIL, ask(c, query("www.example.", Type.A), upstream(q -> reply(q, Rcode.SERVFAIL))).getRcode());
    }

    @Test
    void popularEntriesArePrefetchedBeforeTheyExpire() throws Exception {
        CacheStage c = cache(CacheConfig.defaults().withPrefetch(3, Duration.ofMinutes(1), 10));
        Next next = upstream(q -> answerA(q, 100));
        ask(c, query("hot.example.", Type.A), next);
        for (int i = 0; i < 5; i++) {
            advance(10);
            ask(c, query("hot.example.", Type.A), next);
        }
        assertEquals(1, upstreamCalls.get(), "no refresh while far from expiry");
        advance(41); // 9 s left of 100: within 10 %
        Message hit = ask(c, query("hot.example.", Type.A), next);
        assertEquals(9, ttl(hit, Section.ANSWER), "the hit itself is served from cache");
        assertEquals(2, upstreamCalls.get(), "and one background refresh went out");
        advance(5);
        assertEquals(95, ttl(ask(c, query("hot.example.", Type.A), next), Section.ANSWER), "the refreshed entry");
        assertEquals(2, upstreamCalls.get());
    }

    @Test
    void sizeIsBounded() throws Exception {
        CacheStage c = cache(CacheConfig.defaults().withSize(10));
        Next next = upstream(q -> answerA(q, 300));
        for (int i = 0; i < 200; i++) {
            ask(c, query("n" + i + ".example.", Type.A), next);
        }
        assertTrue(c.size() <= 20, "two caches of 10 at most, got " + c.size());
    }
}
