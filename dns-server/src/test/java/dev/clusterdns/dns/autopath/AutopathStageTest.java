package dev.clusterdns.dns.autopath;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clusterdns.agent.model.ObjectMeta;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.PodSpec;
import dev.clusterdns.agent.model.PodStatus;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.snapshot.ClusterView;
import dev.clusterdns.dns.pipeline.Next;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import dev.clusterdns.dns.pipeline.QueryProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class AutopathStageTest {
    static final InetSocketAddress POD = new InetSocketAddress("10.244.0.5", 33000);
    static final InetSocketAddress HOST_POD = new InetSocketAddress("10.0.0.1", 33000);
    static final InetSocketAddress STRANGER = new InetSocketAddress("10.9.9.9", 33000);

    /** Names the rest of the chain knows (A records); everything else is NXDOMAIN. */
    static final Map<String, String> KNOWN = Map.of(
            "web.shop.svc.cluster.local.", "10.96.0.10",
            "db.other.svc.cluster.local.", "10.96.0.11",
            "example.com.", "93.184.216.34",
            "intranet.corp.internal.", "10.1.1.1");

    final List<Name> asked = new ArrayList<>();
    final Next chain = q -> {
        asked.add(q.name());
        Message m = new Message(q.id());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.AA);
        m.addRecord(q.message().getQuestion(), Section.QUESTION);
        String ip = KNOWN.get(q.name().toString().toLowerCase());
        if (ip == null) {
            m.getHeader().setRcode(Rcode.NXDOMAIN);
        } else if (q.type() == Type.A) {
            try {
                m.addRecord(new ARecord(q.name(), DClass.IN, 30, InetAddress.getByName(ip)), Section.ANSWER);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return CompletableFuture.completedFuture(Reply.of(m));
    };

    static Pod pod(String ns, String name, String ip, boolean hostNetwork) {
        PodSpec spec = new PodSpec(null, null, null, null, null, hostNetwork, null, null, null, null, null, null);
        return new Pod("v1", "Pod", ObjectMeta.of(ns, name), spec, new PodStatus("Running", ip, List.of(), null, List.of()));
    }

    static ClusterView view() {
        ClusterSnapshot snap = ClusterSnapshot.builder(1)
                .pods(List.of(pod("shop", "client", "10.244.0.5", false), pod("kube-system", "agent", "10.0.0.1", true)))
                .build();
        return new ClusterView() {
            @Override
            public ClusterSnapshot current() {
                return snap;
            }

            @Override
            public AutoCloseable subscribe(Consumer<ClusterSnapshot> listener) {
                listener.accept(snap);
                return () -> {};
            }
        };
    }

    final AutopathStage autopath = new AutopathStage(view(), "cluster.local", List.of("corp.internal"));

    Message ask(String name, int type, InetSocketAddress client) throws Exception {
        Query q = Query.of(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)), client, QueryProtocol.UDP);
        return autopath.serve(q, chain).toCompletableFuture().get(5, TimeUnit.SECONDS).message();
    }

    static List<String> answers(Message m) {
        List<String> out = new ArrayList<>();
        for (Record r : m.getSection(Section.ANSWER)) {
            out.add(r.getName() + " " + Type.string(r.getType()) + " " + r.rdataToString());
        }
        return out;
    }

    @Test
    void firstElementHitAnswersDirectlyWithoutCname() throws Exception {
        Message m = ask("web.shop.svc.cluster.local.", Type.A, POD);
        assertEquals(List.of("web.shop.svc.cluster.local. A 10.96.0.10"), answers(m));
        assertEquals(1, asked.size());
    }

    @Test
    void externalNameResolvesInOneRoundTripWithCname() throws Exception {
        Message m = ask("example.com.shop.svc.cluster.local.", Type.A, POD);
        assertEquals(Rcode.NOERROR, m.getRcode());
        assertEquals(List.of("example.com.shop.svc.cluster.local. CNAME example.com.", "example.com. A 93.184.216.34"), answers(m));
        assertEquals("example.com.shop.svc.cluster.local.", m.getQuestion().getName().toString());
        assertEquals(((CNAMERecord) m.getSection(Section.ANSWER).get(0)).getTTL(), 30);
        assertEquals(List.of("example.com.shop.svc.cluster.local.", "example.com.svc.cluster.local.",
                "example.com.cluster.local.", "example.com.corp.internal.", "example.com."), names(asked));
    }

    @Test
    void serviceInAnotherNamespaceAndHostSearchDomains() throws Exception {
        assertEquals(List.of("db.other.shop.svc.cluster.local. CNAME db.other.svc.cluster.local.",
                "db.other.svc.cluster.local. A 10.96.0.11"), answers(ask("db.other.shop.svc.cluster.local.", Type.A, POD)));
        assertEquals(List.of("intranet.shop.svc.cluster.local. CNAME intranet.corp.internal.",
                "intranet.corp.internal. A 10.1.1.1"), answers(ask("intranet.shop.svc.cluster.local.", Type.A, POD)));
    }

    @Test
    void nodataWinsOverLaterElements() throws Exception {
        Message m = ask("example.com.shop.svc.cluster.local.", Type.AAAA, POD);
        assertEquals(Rcode.NOERROR, m.getRcode());
        assertEquals(List.of(), answers(m));
        assertEquals(5, asked.size());
    }

    @Test
    void everyElementFailingGivesTheOriginalNamesAnswer() throws Exception {
        Message m = ask("nothing.shop.svc.cluster.local.", Type.A, POD);
        assertEquals(Rcode.NXDOMAIN, m.getRcode());
        assertEquals(6, asked.size(), "five candidates, then the name as asked");
        assertEquals("nothing.shop.svc.cluster.local.", asked.get(5).toString());
    }

    @Test
    void unknownClientsHostNetworkPodsAndOtherNamesPassThrough() throws Exception {
        ask("example.com.shop.svc.cluster.local.", Type.A, STRANGER);
        ask("example.com.shop.svc.cluster.local.", Type.A, HOST_POD);
        ask("example.com.", Type.A, POD);
        ask("shop.svc.cluster.local.", Type.A, POD);
        assertEquals(List.of("example.com.shop.svc.cluster.local.", "example.com.shop.svc.cluster.local.",
                "example.com.", "shop.svc.cluster.local."), names(asked));
    }

    static List<String> names(List<Name> n) {
        return n.stream().map(Name::toString).toList();
    }
}
