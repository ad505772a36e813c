package dev.clusterdns.dns.forward;

import dev.clusterdns.dns.acl.AclStage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.dns.cache.CacheConfig;
import dev.clusterdns.dns.cache.CacheStage;
import dev.clusterdns.dns.pipeline.Pipeline;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.QueryProtocol;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** acl → cache → forward over real sockets: caching, stale answers after the upstream stops, ACL before the cache. */
class ForwardPipelineTest {

    static Message ask(Pipeline p, String name, String client) throws Exception {
        Message m = Message.newQuery(Record.newRecord(Name.fromString(name), Type.A, DClass.IN));
        return p.serve(Query.of(m, new InetSocketAddress(client, 5353), QueryProtocol.UDP)).toCompletableFuture()
                .get(10, TimeUnit.SECONDS).message();
    }

    @Test
    void cachesThenServesStaleWhenTheUpstreamIsGone() throws Exception {
        TestUpstream up = TestUpstream.answering(q -> ForwardStageTest.answer(q, "192.0.2.60"));
        PrometheusRegistry registry = new PrometheusRegistry();
        ForwardConfig cfg = ForwardConfig.defaults(List.of(up.address())).withTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(5));
        try (ForwardStage forwarder = new ForwardStage(cfg, registry)) {
            CacheConfig cache = CacheConfig.defaults().withTtls(0, 1, 1).withServeStale(Duration.ofHours(1));
            Pipeline p = new Pipeline(List.of(new AclStage(List.of(Cidr.parse("127.0.0.0/8"))),
                    new CacheStage(cache, registry), forwarder));
            assertEquals("192.0.2.60", ForwardStageTest.firstA(ask(p, "svc.example.", "127.0.0.1")));
            assertEquals("192.0.2.60", ForwardStageTest.firstA(ask(p, "svc.example.", "127.0.0.1")));
            assertEquals(1, up.clientQueries().size(), "the second answer came from the cache");
            assertEquals(Rcode.REFUSED, ask(p, "svc.example.", "203.0.113.5").getRcode(), "no cached answers for strangers");

            up.close();
            Thread.sleep(1100); // the 1 s entry expires
            Message stale = ask(p, "svc.example.", "127.0.0.1");
            assertEquals(Rcode.NOERROR, stale.getRcode());
            assertEquals(CacheConfig.STALE_TTL, stale.getSection(Section.ANSWER).get(0).getTTL());
            assertEquals(Rcode.SERVFAIL, ask(p, "never.example.", "127.0.0.1").getRcode());
        }
    }
}
