package dev.clusterdns.dns.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.SnapshotPublisher;
import dev.clusterdns.dns.DnsClient;
import dev.clusterdns.dns.TestCluster;
import dev.clusterdns.dns.pipeline.Pipeline;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import dev.clusterdns.dns.pipeline.Stage;
import dev.clusterdns.dns.pipeline.QueryProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/** The cluster-zone rules of the Kubernetes DNS-based service discovery specification, through the stage's real entry point. */
class ClusterStageTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 5353);

    /** Stands in for the forwarder after the cluster stage: knows one external name. */
    private static final Stage UPSTREAM = new Stage() {
        @Override
        public String name() {
            return "upstream";
        }

        @Override
        public java.util.concurrent.CompletionStage<Reply> serve(Query q, dev.clusterdns.dns.pipeline.Next next) {
            if (q.name().equals(Name.fromConstantString("www.example.com.")) && q.type() == Type.A) {
                Message m = new Message(q.id());
                m.getHeader().setFlag(Flags.QR);
                m.getHeader().setFlag(Flags.RA);
                m.addRecord(Record.newRecord(q.name(), q.type(), DClass.IN), Section.QUESTION);
                m.addRecord(new ARecord(q.name(), DClass.IN, 300, addr("192.0.2.53")), Section.ANSWER);
                return CompletableFuture.completedFuture(Reply.of(m));
            }
            return next.serve(q);
        }
    };

    static InetAddress addr(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static ClusterOptions options() {
        return new ClusterOptions("cluster.local", 5, PodMode.INSECURE, Set.of(), false, false,
                List.of(Cidr.parse("10.96.0.0/12"), Cidr.parse("fd00::/108")), List.of(addr("127.0.0.1")));
    }

    private final SnapshotPublisher publisher = new SnapshotPublisher();

    private ClusterStage stage;

    private Pipeline pipeline(ClusterOptions options) {
        publisher.publish(TestCluster.snapshot(1));
        stage = new ClusterStage(publisher, options);
        return new Pipeline(List.of(stage, UPSTREAM));
    }

    /** Publishes and waits until the stage serves it (zones are built on the stage's own thread). */
    static void publishAndWait(SnapshotPublisher pub, ClusterStage stage, ClusterSnapshot s) throws InterruptedException {
        pub.publish(s);
        assertTrue(stage.awaitRevision(s.revision(), java.time.Duration.ofSeconds(30)), "zone built in time");
    }

    private final Pipeline pipeline = pipeline(options());

    /** Through the wire fast path (pre-encoded and hand-encoded replies), as the transport sees queries. */
    static Message ask(Pipeline p, String name, int type) throws Exception {
        Query q = Query.parse(DnsClient.query(name, type).toWire(), CLIENT, QueryProtocol.UDP);
        return p.serve(q).toCompletableFuture().get(5, TimeUnit.SECONDS).message();
    }

    /** Through a dnsjava message (what stages such as autopath hand on): replies built as messages. */
    static Message askMessage(Pipeline p, String name, int type) throws Exception {
        Query q = Query.of(DnsClient.query(name, type), CLIENT, QueryProtocol.UDP);
        return p.serve(q).toCompletableFuture().get(5, TimeUnit.SECONDS).message();
    }

    private Message ask(String name, int type) throws Exception {
        return ask(pipeline, name, type);
    }

    static Set<String> answers(Message m) {
        Set<String> out = new TreeSet<>();
        for (Record r : m.getSection(Section.ANSWER)) {
            out.add(Type.string(r.getType()) + " " + r.rdataToString());
        }
        return out;
    }

    static Set<String> additional(Message m) {
        Set<String> out = new TreeSet<>();
        for (Record r : m.getSection(Section.ADDITIONAL)) {
            out.add(r.getName() + " " + Type.string(r.getType()) + " " + r.rdataToString());
        }
        return out;
    }

    static void assertNegative(Message m, int rcode, String zone) {
        assertEquals(rcode, m.getRcode(), () -> m.toString());
        assertTrue(m.getHeader().getFlag(Flags.AA), "AA on negative answers");
        assertEquals(0, m.getSection(Section.ANSWER).size(), () -> m.toString());
        List<Record> auth = m.getSection(Section.AUTHORITY);
        assertEquals(1, auth.size(), () -> m.toString());
        SOARecord soa = assertInstanceOf(SOARecord.class, auth.get(0));
        assertEquals(zone, soa.getName().toString().toLowerCase());
    }

    @Test
    void clusterIpServiceAnswersItsAddressAuthoritatively() throws Exception {
        Message m = ask("web.shop.svc.cluster.local.", Type.A);
        assertEquals(Rcode.NOERROR, m.getRcode());
        assertTrue(m.getHeader().getFlag(Flags.AA));
        assertFalse(m.getHeader().getFlag(Flags.RA));
        assertEquals(Set.of("A 10.96.0.50"), answers(m));
        assertEquals(5, m.getSection(Section.ANSWER).get(0).getTTL());
    }

    @Test
    void missingFamilyIsNodataWithSoa() throws Exception {
        Message m = ask("web.shop.svc.cluster.local.", Type.AAAA);
        assertNegative(m, Rcode.NOERROR, "cluster.local.");
        SOARecord soa = (SOARecord) m.getSection(Section.AUTHORITY).get(0);
        assertEquals("ns.dns.cluster.local.", soa.getHost().toString());
        assertEquals("hostmaster.cluster.local.", soa.getAdmin().toString());
        assertEquals(7200, soa.getRefresh());
        assertEquals(1800, soa.getRetry());
        assertEquals(86400, soa.getExpire());
        assertEquals(5, soa.getMinimum());
        assertEquals(5, soa.getTTL());
        assertTrue(soa.getSerial() > 1_600_000_000L, "serial is Unix time");
    }

    @Test
    void srvForNamedPortAndBareServiceWithGlue() throws Exception {
        Message m = ask("_http._tcp.web.shop.svc.cluster.local.", Type.SRV);
        assertEquals(Set.of("SRV 0 100 80 web.shop.svc.cluster.local."), answers(m));
        assertEquals(Set.of("web.shop.svc.cluster.local. A 10.96.0.50"), additional(m));
        Message bare = ask("web.shop.svc.cluster.local.", Type.SRV);
        assertEquals(Set.of("SRV 0 50 80 web.shop.svc.cluster.local.", "SRV 0 50 443 web.shop.svc.cluster.local."),
                answers(bare));
        assertEquals(Set.of("web.shop.svc.cluster.local. A 10.96.0.50"), additional(bare));
        assertNegative(ask("_http._udp.web.shop.svc.cluster.local.", Type.SRV), Rcode.NXDOMAIN, "cluster.local.");
        // An unnamed port shows up only in the bare SRV query.
        assertEquals(Set.of("SRV 0 100 80 my-nginx.default.svc.cluster.local."),
                answers(ask("my-nginx.default.svc.cluster.local.", Type.SRV)));
    }

    @Test
    void dualStackServiceHasBothFamiliesAndOneSrv() throws Exception {
        assertEquals(Set.of("A 10.96.0.60"), answers(ask("dual.shop.svc.cluster.local.", Type.A)));
        assertEquals(Set.of("AAAA fd00:0:0:0:0:0:0:60"), answers(ask("dual.shop.svc.cluster.local.", Type.AAAA)));
        Message srv = ask("_dns._udp.dual.shop.svc.cluster.local.", Type.SRV);
        assertEquals(Set.of("SRV 0 50 53 dual.shop.svc.cluster.local."), answers(srv));
        assertEquals(Set.of("dual.shop.svc.cluster.local. A 10.96.0.60", "dual.shop.svc.cluster.local. AAAA fd00:0:0:0:0:0:0:60"),
                additional(srv));
    }

    @Test
    void headlessServiceListsReadyEndpointsOnly() throws Exception {
        assertEquals(Set.of("A 10.244.2.1", "A 10.244.2.2", "A 10.244.2.3"),
                answers(ask("db.shop.svc.cluster.local.", Type.A)));
        assertEquals(Set.of("A 10.244.2.1"), answers(ask("db-0.db.shop.svc.cluster.local.", Type.A)));
        assertEquals(Set.of("A 10.244.2.3"), answers(ask("10-244-2-3.db.shop.svc.cluster.local.", Type.A)));
        assertNegative(ask("bogus.db.shop.svc.cluster.local.", Type.A), Rcode.NXDOMAIN, "cluster.local.");
        Message srv = ask("_mysql._tcp.db.shop.svc.cluster.local.", Type.SRV);
        assertEquals(Set.of("SRV 0 33 3306 db-0.db.shop.svc.cluster.local.", "SRV 0 33 3306 db-1.db.shop.svc.cluster.local.",
                "SRV 0 33 3306 10-244-2-3.db.shop.svc.cluster.local."), answers(srv));
        assertEquals(Set.of("db-0.db.shop.svc.cluster.local. A 10.244.2.1", "db-1.db.shop.svc.cluster.local. A 10.244.2.2",
                "10-244-2-3.db.shop.svc.cluster.local. A 10.244.2.3"), additional(srv));
        assertNegative(ask("empty.shop.svc.cluster.local.", Type.A), Rcode.NXDOMAIN, "cluster.local.");
    }

    @Test
    void dualStackHeadlessSharedHostnamesAndPortlessServices() throws Exception {
        assertEquals(Set.of("A 10.244.5.1"), answers(ask("dualdb.shop.svc.cluster.local.", Type.A)));
        assertEquals(Set.of("AAAA fd00:0:0:0:0:0:5:1"), answers(ask("dualdb.shop.svc.cluster.local.", Type.AAAA)));
        assertEquals(Set.of("AAAA fd00:0:0:0:0:0:5:1"), answers(ask("pg-0.dualdb.shop.svc.cluster.local.", Type.AAAA)));
        Message srv = ask("_pg._tcp.dualdb.shop.svc.cluster.local.", Type.SRV);
        assertEquals(Set.of("SRV 0 50 5432 pg-0.dualdb.shop.svc.cluster.local."), answers(srv));
        assertEquals(Set.of("pg-0.dualdb.shop.svc.cluster.local. A 10.244.5.1",
                "pg-0.dualdb.shop.svc.cluster.local. AAAA fd00:0:0:0:0:0:5:1"), additional(srv));
        assertEquals(Set.of("A 10.244.6.1", "A 10.244.6.2"), answers(ask("same.shared.shop.svc.cluster.local.", Type.A)));
        assertNegative(ask("shared.shop.svc.cluster.local.", Type.SRV), Rcode.NOERROR, "cluster.local.");
        assertNegative(ask("shared.shop.svc.cluster.local.", Type.AAAA), Rcode.NOERROR, "cluster.local.");
        assertNegative(ask("db.shop.svc.cluster.local.", Type.AAAA), Rcode.NOERROR, "cluster.local.");
    }

    @Test
    void externalNameChainsAndLoops() throws Exception {
        Message chain = ask("chain.shop.svc.cluster.local.", Type.A);
        assertEquals(Set.of("CNAME alias.shop.svc.cluster.local.", "CNAME web.shop.svc.cluster.local.", "A 10.96.0.50"),
                answers(chain));
        assertEquals("chain.shop.svc.cluster.local.", chain.getSection(Section.ANSWER).get(0).getName().toString());
        assertNegative(ask("loop.shop.svc.cluster.local.", Type.A), Rcode.NOERROR, "cluster.local.");
    }

    @Test
    void endpointNamesExistUnderClusterIpServicesToo() throws Exception {
        assertEquals(Set.of("A 10.244.1.5"), answers(ask("10-244-1-5.web.shop.svc.cluster.local.", Type.A)));
        // not ready: absent
        assertNegative(ask("10-244-1-7.web.shop.svc.cluster.local.", Type.A), Rcode.NXDOMAIN, "cluster.local.");
        // A ClusterIP Service without endpoints still has its address.
        assertEquals(Set.of("A 10.96.0.70"), answers(ask("lonely.shop.svc.cluster.local.", Type.A)));
    }

    @Test
    void externalNameIsCnameChasedInZoneAndThroughTheRestOfThePipeline() throws Exception {
        Message cname = ask("ext.shop.svc.cluster.local.", Type.CNAME);
        assertEquals(Set.of("CNAME www.example.com."), answers(cname));
        Message chased = ask("ext.shop.svc.cluster.local.", Type.A);
        assertEquals(Set.of("CNAME www.example.com.", "A 192.0.2.53"), answers(chased));
        assertInstanceOf(CNAMERecord.class, chased.getSection(Section.ANSWER).get(0), "CNAME first");
        assertTrue(chased.getHeader().getFlag(Flags.AA));
        Message inZone = ask("alias.shop.svc.cluster.local.", Type.A);
        assertEquals(Set.of("CNAME web.shop.svc.cluster.local.", "A 10.96.0.50"), answers(inZone));
        assertNegative(ask("ipext.shop.svc.cluster.local.", Type.A), Rcode.NXDOMAIN, "cluster.local.");
        assertNegative(ask("x.ext.shop.svc.cluster.local.", Type.CNAME), Rcode.NXDOMAIN, "cluster.local.");
        assertNegative(ask("ext.shop.svc.cluster.local.", Type.SRV), Rcode.NOERROR, "cluster.local.");
    }

    @Test
    void ptrForClusterIpsAndEndpoints() throws Exception {
        assertEquals(Set.of("PTR web.shop.svc.cluster.local."), answers(ask("50.0.96.10.in-addr.arpa.", Type.PTR)));
        assertEquals(Set.of("PTR 10-244-1-5.web.shop.svc.cluster.local."),
                answers(ask("5.1.244.10.in-addr.arpa.", Type.PTR)));
        assertEquals(Set.of("PTR db-0.db.shop.svc.cluster.local."), answers(ask("1.2.244.10.in-addr.arpa.", Type.PTR)));
        Name v6 = ReverseMap.fromAddress("fd00::60");
        Message m = ask(v6.toString(), Type.PTR);
        assertEquals(Set.of("PTR dual.shop.svc.cluster.local."), answers(m));
        assertInstanceOf(PTRRecord.class, m.getSection(Section.ANSWER).get(0));
        // Unknown IP inside a service CIDR: NXDOMAIN with the reverse zone's SOA.
        assertNegative(ask("99.0.96.10.in-addr.arpa.", Type.PTR), Rcode.NXDOMAIN, "10.in-addr.arpa.");
        // Outside our reverse zones and unknown: passed on (end of pipeline = REFUSED).
        assertEquals(Rcode.REFUSED, ask("1.2.0.192.in-addr.arpa.", Type.PTR).getRcode());
    }

    @Test
    void clusterIpPtrWinsOverAnEndpointWithTheSameAddress() throws Exception {
        ClusterSnapshot base = TestCluster.snapshot(5);
        List<dev.clusterdns.agent.model.Service> services = new java.util.ArrayList<>(base.services());
        // "aaa" sorts before "web": its endpoint is web's ClusterIP.
        services.add(TestCluster.headless("shop", "aaa", TestCluster.port("http", "TCP", 80)));
        List<dev.clusterdns.agent.model.EndpointSlice> slices = new java.util.ArrayList<>(base.endpointSlices());
        slices.add(TestCluster.slice("shop", "aaa", "a", List.of(TestCluster.epPort("http", "TCP", 80)),
                TestCluster.endpoint("10.96.0.50", null, true, null)));
        publishAndWait(publisher, stage, ClusterSnapshot.builder(5).namespaces(base.namespaces()).services(services)
                .endpointSlices(slices).build());
        assertEquals(Set.of("PTR web.shop.svc.cluster.local."), answers(ask("50.0.96.10.in-addr.arpa.", Type.PTR)));
        assertEquals(Set.of("A 10.96.0.50"), answers(ask("aaa.shop.svc.cluster.local.", Type.A)));
    }

    @Test
    void apexSoaNsAndSchemaVersion() throws Exception {
        Message soa = ask("cluster.local.", Type.SOA);
        assertInstanceOf(SOARecord.class, soa.getSection(Section.ANSWER).get(0));
        Message ns = ask("cluster.local.", Type.NS);
        assertEquals(Set.of("NS ns.dns.cluster.local."), answers(ns));
        assertEquals(Set.of("ns.dns.cluster.local. A 127.0.0.1"), additional(ns));
        Message version = ask("dns-version.cluster.local.", Type.TXT);
        TXTRecord txt = assertInstanceOf(TXTRecord.class, version.getSection(Section.ANSWER).get(0));
        assertEquals(List.of("1.1.0"), txt.getStrings());
        assertEquals(28800, txt.getTTL());
        assertNegative(ask("cluster.local.", Type.A), Rcode.NOERROR, "cluster.local.");
    }

    @Test
    void nxdomainVersusNodata() throws Exception {
        assertNegative(ask("svc.cluster.local.", Type.A), Rcode.NOERROR, "cluster.local.");
        assertNegative(ask("pod.cluster.local.", Type.NS), Rcode.NOERROR, "cluster.local.");
        assertNegative(ask("shop.svc.cluster.local.", Type.A), Rcode.NOERROR, "cluster.local.");
        assertNegative(ask("shop.pod.cluster.local.", Type.A), Rcode.NOERROR, "cluster.local.");
        assertNegative(ask("nosuchns.svc.cluster.local.", Type.NS), Rcode.NXDOMAIN, "cluster.local.");
        assertNegative(ask("foo.cluster.local.", Type.A), Rcode.NXDOMAIN, "cluster.local.");
        assertNegative(ask("nosuch.shop.svc.cluster.local.", Type.A), Rcode.NXDOMAIN, "cluster.local.");
        assertNegative(ask("web.nosuchns.svc.cluster.local.", Type.A), Rcode.NXDOMAIN, "cluster.local.");
        assertNegative(ask("a.b.c.web.shop.svc.cluster.local.", Type.A), Rcode.NXDOMAIN, "cluster.local.");
        assertNegative(ask("*.shop.svc.cluster.local.", Type.SRV), Rcode.NXDOMAIN, "cluster.local.");
        assertNegative(ask("web.shop.svc.cluster.local.", Type.TXT), Rcode.NOERROR, "cluster.local.");
        assertNegative(ask("web.shop.svc.cluster.local.", Type.PTR), Rcode.NOERROR, "cluster.local.");
        assertNegative(ask("web.shop.svc.cluster.local.", Type.HINFO), Rcode.NOERROR, "cluster.local.");
        assertNegative(ask("web.shop.svc.cluster.local.", 1000), Rcode.NOERROR, "cluster.local.");
        assertNegative(ask("web.shop.svc.cluster.local.", Type.SOA), Rcode.NOERROR, "cluster.local.");
        assertNegative(ask("nosuch.shop.svc.cluster.local.", Type.SOA), Rcode.NOERROR, "cluster.local.");
        assertNegative(ask("nosuch.shop.svc.cluster.local.", Type.TXT), Rcode.NXDOMAIN, "cluster.local.");
        // The search walk's synthetic names are NXDOMAIN, never NODATA.
        assertNegative(ask("my-nginx.default.svc.cluster.local.default.svc.cluster.local.", Type.A), Rcode.NXDOMAIN,
                "cluster.local.");
        assertNegative(ask("my-nginx.default.svc.cluster.local.svc.cluster.local.", Type.A), Rcode.NXDOMAIN,
                "cluster.local.");
        assertNegative(ask("my-nginx.default.svc.cluster.local.cluster.local.", Type.A), Rcode.NXDOMAIN,
                "cluster.local.");
    }

    @Test
    void podRecordsInInsecureMode() throws Exception {
        assertEquals(Set.of("A 10.244.9.9"), answers(ask("10-244-9-9.shop.pod.cluster.local.", Type.A)));
        assertNegative(ask("10-244-9-9.shop.pod.cluster.local.", Type.AAAA), Rcode.NOERROR, "cluster.local.");
        assertEquals(Set.of("AAAA fd00:0:0:0:0:0:0:5"), answers(ask("fd00--5.shop.pod.cluster.local.", Type.AAAA)));
        assertNegative(ask("blah.shop.pod.cluster.local.", Type.A), Rcode.NXDOMAIN, "cluster.local.");
        assertNegative(ask("10-244-9-9.nosuchns.pod.cluster.local.", Type.A), Rcode.NXDOMAIN, "cluster.local.");
    }

    @Test
    void podRecordsVerifiedAndDisabled() throws Exception {
        ClusterOptions o = options();
        Pipeline verified = pipeline(new ClusterOptions(o.domain(), 5, PodMode.VERIFIED, Set.of(), false, false,
                o.serviceCidrs(), o.nameServerAddresses()));
        assertEquals(Set.of("A 10.244.1.5"), answers(ask(verified, "10-244-1-5.shop.pod.cluster.local.", Type.A)));
        assertNegative(ask(verified, "10-244-9-9.shop.pod.cluster.local.", Type.A), Rcode.NXDOMAIN, "cluster.local.");
        assertNegative(ask(verified, "10-244-1-5.default.pod.cluster.local.", Type.A), Rcode.NXDOMAIN, "cluster.local.");
        Pipeline disabled = pipeline(new ClusterOptions(o.domain(), 5, PodMode.DISABLED, Set.of(), false, false,
                o.serviceCidrs(), o.nameServerAddresses()));
        assertNegative(ask(disabled, "10-244-1-5.shop.pod.cluster.local.", Type.A), Rcode.NXDOMAIN, "cluster.local.");
    }

    @Test
    void namespacesOptionHidesOtherNamespacesForwardAndReverse() throws Exception {
        ClusterOptions o = options();
        assertEquals(Set.of("A 10.96.0.90"), answers(ask("secret.hidden.svc.cluster.local.", Type.A)));
        Pipeline p = pipeline(new ClusterOptions(o.domain(), 5, PodMode.INSECURE, Set.of("shop", "default"), false,
                false, o.serviceCidrs(), o.nameServerAddresses()));
        assertNegative(ask(p, "secret.hidden.svc.cluster.local.", Type.A), Rcode.NXDOMAIN, "cluster.local.");
        assertNegative(ask(p, "hidden.svc.cluster.local.", Type.A), Rcode.NXDOMAIN, "cluster.local.");
        assertNegative(ask(p, "90.0.96.10.in-addr.arpa.", Type.PTR), Rcode.NXDOMAIN, "10.in-addr.arpa.");
        assertEquals(Set.of("A 10.96.0.50"), answers(ask(p, "web.shop.svc.cluster.local.", Type.A)));
    }

    @Test
    void ignoreEmptyServiceAndEndpointPodNames() throws Exception {
        ClusterOptions o = options();
        Pipeline p = pipeline(new ClusterOptions(o.domain(), 30, PodMode.INSECURE, Set.of(), true, true,
                o.serviceCidrs(), o.nameServerAddresses()));
        assertNegative(ask(p, "lonely.shop.svc.cluster.local.", Type.A), Rcode.NXDOMAIN, "cluster.local.");
        assertNegative(ask(p, "empty.shop.svc.cluster.local.", Type.A), Rcode.NXDOMAIN, "cluster.local.");
        Message web = ask(p, "web.shop.svc.cluster.local.", Type.A);
        assertEquals(30, web.getSection(Section.ANSWER).get(0).getTTL());
        assertEquals(Set.of("A 10.244.1.5"), answers(ask(p, "web-1.web.shop.svc.cluster.local.", Type.A)));
        // the hostname still wins over the pod name
        assertEquals(Set.of("A 10.244.2.1"), answers(ask(p, "db-0.db.shop.svc.cluster.local.", Type.A)));
        assertEquals(Set.of("A 10.244.2.3"), answers(ask(p, "db-x.db.shop.svc.cluster.local.", Type.A)));
        SOARecord soa = (SOARecord) ask(p, "nosuch.shop.svc.cluster.local.", Type.A).getSection(Section.AUTHORITY).get(0);
        assertEquals(30, soa.getMinimum());
        assertEquals(30, soa.getTTL());
    }

    @Test
    void beforeTheFirstSnapshotMissingNamesAreServfail() throws Exception {
        Pipeline p = new Pipeline(List.of(new ClusterStage(new SnapshotPublisher(), options())));
        Message m = ask(p, "web.shop.svc.cluster.local.", Type.A);
        assertEquals(Rcode.SERVFAIL, m.getRcode());
        assertInstanceOf(SOARecord.class, m.getSection(Section.AUTHORITY).get(0));
    }

    /**
     * What the zone's answer table keeps (an answer, a name found absent) belongs to that zone: the
     * next snapshot's zone answers a name that now exists, and forgets one that went away.
     */
    @Test
    void theAnswerTableBelongsToOneZone() throws Exception {
        SnapshotPublisher pub = new SnapshotPublisher();
        ClusterSnapshot base = TestCluster.snapshot(1);
        pub.publish(base);
        ClusterStage stage = new ClusterStage(pub, options());
        Pipeline p = new Pipeline(List.of(stage));
        for (int i = 0; i < 3; i++) { // the first finds it absent, the others are served from the table
            assertNegative(ask(p, "Late.shop.svc.cluster.local.", i == 1 ? Type.AAAA : Type.A), Rcode.NXDOMAIN, "cluster.local.");
            assertEquals(Set.of("A 10.96.0.50"), answers(ask(p, "web.shop.svc.cluster.local.", Type.A)));
        }
        List<dev.clusterdns.agent.model.Service> services = new java.util.ArrayList<>(base.services().stream()
                .filter(s -> !s.metadata().name().equals("web")).toList());
        services.add(TestCluster.clusterIp("shop", "late", List.of("10.96.0.99"), TestCluster.port("http", "TCP", 80)));
        publishAndWait(pub, stage, ClusterSnapshot.builder(2).namespaces(base.namespaces())
                .endpointSlices(base.endpointSlices()).services(services).build());
        assertEquals(Set.of("A 10.96.0.99"), answers(ask(p, "late.shop.svc.cluster.local.", Type.A)));
        assertNegative(ask(p, "web.shop.svc.cluster.local.", Type.A), Rcode.NXDOMAIN, "cluster.local.");
    }

    @Test
    void aNewSnapshotSwitchesAnswersAndMovesTheSerial() throws Exception {
        SnapshotPublisher pub = new SnapshotPublisher();
        pub.publish(TestCluster.snapshot(1));
        ClusterStage stage = new ClusterStage(pub, options());
        Pipeline p = new Pipeline(List.of(stage));
        long first = stage.serial();
        assertEquals(Set.of("A 10.96.0.70"), answers(ask(p, "lonely.shop.svc.cluster.local.", Type.A)));
        ClusterSnapshot base = TestCluster.snapshot(2);
        publishAndWait(pub, stage, ClusterSnapshot.builder(2).namespaces(base.namespaces()).endpointSlices(base.endpointSlices())
                .services(base.services().stream().filter(s -> !s.metadata().name().equals("lonely")).toList())
                .build());
        assertNegative(ask(p, "lonely.shop.svc.cluster.local.", Type.A), Rcode.NXDOMAIN, "cluster.local.");
        assertTrue(stage.serial() > first, "serial moves on change");
        long second = stage.serial();
        ClusterSnapshot same = TestCluster.snapshot(3);
        publishAndWait(pub, stage, ClusterSnapshot.builder(3).namespaces(same.namespaces()).endpointSlices(same.endpointSlices())
                .services(base.services().stream().filter(s -> !s.metadata().name().equals("lonely")).toList())
                .build());
        assertEquals(second, stage.serial(), "serial stays while DNS data is unchanged");
    }

    private static String comparable(Message m) {
        return m.toString().replaceAll("id: \\d+", "").replaceAll("Message size: \\d+ bytes", "");
    }

    @Test
    void bothQueryPathsGiveTheSameReplies() throws Exception {
        for (String[] q : new String[][] {{"NoSuCh.shop.svc.CLUSTER.local.", "A"}, {"web.shop.svc.cluster.local.", "AAAA"},
            {"_http._tcp.WEB.shop.svc.cluster.local.", "SRV"}, {"99.0.96.10.in-addr.arpa.", "PTR"},
            {"shop.svc.cluster.local.", "TXT"}, {"cluster.local.", "SOA"}, {"WeB.ShOp.SvC.cluster.local.", "A"},
            {"web.shop.svc.cluster.local.", "ANY"}, {"web.shop.svc.cluster.local.", "MX"}, {"web.shop.svc.cluster.local.", "SOA"},
            {"10-0-0-1.shop.pod.cluster.local.", "A"}, {"10-0-0-1.shop.POD.cluster.local.", "AAAA"},
            {"a.b.c.d.shop.svc.cluster.local.", "A"}, {"svc.cluster.local.", "A"}, {"nosuch.cluster.local.", "A"},
            {"cluster.local.", "NS"}, {"xcluster.local.", "A"}}) {
            Message fast = ask(q[0], Type.value(q[1]));
            Message slow = askMessage(pipeline, q[0], Type.value(q[1]));
            assertEquals(comparable(slow), comparable(fast));
            for (Record r : fast.getSection(Section.AUTHORITY)) {
                SOARecord soa = (SOARecord) r;
                String asked = q[0];
                assertTrue(asked.endsWith(soa.getName().toString()), "owner echoes the query's spelling: " + soa);
                assertEquals("ns.dns." + soa.getName(), soa.getHost().toString());
            }
        }
    }

    @Test
    void outOfZoneNamesPassOn() throws Exception {
        assertEquals(Rcode.REFUSED, ask("example.org.", Type.A).getRcode());
        assertEquals(Set.of("A 192.0.2.53"), answers(ask("www.example.com.", Type.A)));
    }

    @Test
    void snapshotsInATightLoopEndAtTheLastRevision() throws Exception {
        SnapshotPublisher pub = new SnapshotPublisher();
        ClusterSnapshot base = TestCluster.snapshot(1);
        pub.publish(base);
        ClusterStage s = new ClusterStage(pub, options());
        Pipeline p = new Pipeline(List.of(s));
        for (int rev = 2; rev <= 201; rev++) {
            List<dev.clusterdns.agent.model.Service> services = new java.util.ArrayList<>(base.services());
            services.add(TestCluster.clusterIp("shop", "churn", List.of("10.96.1." + (rev % 250 + 1)),
                    TestCluster.port("http", "TCP", 80)));
            if (rev % 2 == 0) {
                services.add(TestCluster.clusterIp("shop", "even", List.of("10.96.2.1"), TestCluster.port("http", "TCP", 80)));
            }
            pub.publish(ClusterSnapshot.builder(rev).namespaces(base.namespaces()).services(services)
                    .endpointSlices(base.endpointSlices()).build());
        }
        assertTrue(s.awaitRevision(201, java.time.Duration.ofSeconds(60)), "zone reached the last revision");
        assertEquals(201, s.revision());
        assertEquals(Set.of("A 10.96.1." + (201 % 250 + 1)), answers(ask(p, "churn.shop.svc.cluster.local.", Type.A)));
        assertEquals(Set.of("PTR churn.shop.svc.cluster.local."),
                answers(ask(p, (201 % 250 + 1) + ".1.96.10.in-addr.arpa.", Type.PTR)));
        assertNegative(ask(p, (200 % 250 + 1) + ".1.96.10.in-addr.arpa.", Type.PTR), Rcode.NXDOMAIN, "10.in-addr.arpa.");
        assertNegative(ask(p, "even.shop.svc.cluster.local.", Type.A), Rcode.NXDOMAIN, "cluster.local.");
        assertEquals(Set.of("A 10.96.0.50"), answers(ask(p, "web.shop.svc.cluster.local.", Type.A)));
        s.close();
    }
}
