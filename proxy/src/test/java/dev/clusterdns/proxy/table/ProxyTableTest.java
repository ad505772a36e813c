package dev.clusterdns.proxy.table;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.IntOrString;
import dev.clusterdns.agent.model.ObjectMeta;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import dev.clusterdns.agent.model.ServiceSpec;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ProxyTableTest {
    private static final ProxyTable.NodeSettings NODE = new ProxyTable.NodeSettings("n1", List.of());
    private final Counter counter = Counter.builder().name("t").build();
    private final Gauge gauge = Gauge.builder().name("g").build();
    private final ProxyTable.MetricsSource metrics = (ns, svc, port, proto) -> new PortMetrics(
            counter.labelValues(), gauge.labelValues(), counter.labelValues(), counter.labelValues(),
            counter.labelValues(), counter.labelValues(), counter.labelValues());

    private static Service service(String name, String type, String clusterIP, List<ServicePort> ports) {
        ServiceSpec spec = new ServiceSpec(type, Map.of(), ports, clusterIP, List.of(clusterIP), null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null);
        return new Service("v1", "Service", ObjectMeta.of("ns", name), spec, null);
    }

    private static EndpointSlice slice(String svc, List<String> ips, List<EndpointPort> ports) {
        ObjectMeta meta = new ObjectMeta(svc + "-x", null, "ns", null, null,
                Map.of(EndpointSlice.SERVICE_NAME_LABEL, svc), null, null, null);
        return new EndpointSlice("discovery.k8s.io/v1", "EndpointSlice", meta, "IPv4",
                ips.stream().map(ip -> new EndpointSlice.Endpoint(List.of(ip), null, null, null, null, null)).toList(),
                ports);
    }

    private ProxyTable build(ClusterSnapshot s, ProxyTable previous) {
        return ProxyTable.build(s, NODE, previous, metrics, new Random(1));
    }

    @Test
    void servicePortsMatchSlicePortsByNameAndProtocol() throws Exception {
        Service svc = service("web", "NodePort", "127.96.0.1", List.of(
                new ServicePort("http", "TCP", null, 80, IntOrString.of("web"), 30080),
                new ServicePort("dns", "UDP", null, 53, IntOrString.of(53), null)));
        EndpointSlice sl = slice("web", List.of("10.1.0.1", "10.1.0.2"), List.of(
                new EndpointPort("http", 8080, "TCP", null), new EndpointPort("dns", 5353, "UDP", null),
                new EndpointPort("dns", 9999, "TCP", null)));
        ProxyTable t = build(ClusterSnapshot.builder(1).services(List.of(svc)).endpointSlices(List.of(sl)).build(),
                ProxyTable.empty());
        InetAddress vip = InetAddress.getByName("127.96.0.1");
        Route http = t.routes().get(new ListenKey(Protocol.TCP, vip, 80));
        assertEquals(Set.of(8080), http.balancer().endpoints().stream().map(InetSocketAddress::getPort).collect(Collectors.toSet()));
        Route dns = t.routes().get(new ListenKey(Protocol.UDP, vip, 53));
        assertEquals(Set.of(5353), dns.balancer().endpoints().stream().map(InetSocketAddress::getPort).collect(Collectors.toSet()));
        assertSame(http.balancer(), t.routes().get(new ListenKey(Protocol.TCP, InetAddress.getByName("0.0.0.0"), 30080)).balancer());
        assertEquals(3, t.routes().size());
    }

    @Test
    void addressesServedElsewhereGetNoRoute() throws Exception {
        Service svc = service("kube-dns", "ClusterIP", "127.96.0.10", List.of(
                new ServicePort("dns", "UDP", null, 53, IntOrString.of(1053), null),
                new ServicePort("metrics", "TCP", null, 9153, IntOrString.of(9153), null)));
        EndpointSlice sl = slice("kube-dns", List.of("127.0.0.1"), List.of(
                new EndpointPort("dns", 1053, "UDP", null), new EndpointPort("metrics", 9153, "TCP", null)));
        InetAddress vip = InetAddress.getByName("127.96.0.10");
        ProxyTable.NodeSettings node = new ProxyTable.NodeSettings("n1", List.of(), List.of(new InetSocketAddress(vip, 53)));
        ProxyTable t = ProxyTable.build(ClusterSnapshot.builder(1).services(List.of(svc)).endpointSlices(List.of(sl)).build(),
                node, ProxyTable.empty(), metrics, new Random(1));
        assertEquals(Set.of(new ListenKey(Protocol.TCP, vip, 9153)), t.routes().keySet());
        assertEquals(List.of(), t.problems());
    }

    @Test
    void sameEndpointsKeepTheBalancerAcrossSnapshots() {
        Service svc = service("web", "ClusterIP", "127.96.0.2", List.of(new ServicePort(null, null, null, 80, null, null)));
        List<EndpointSlice> slices = List.of(slice("web", List.of("10.1.0.1"), List.of(new EndpointPort(null, 80, null, null))));
        ProxyTable t1 = build(ClusterSnapshot.builder(1).services(List.of(svc)).endpointSlices(slices).build(), ProxyTable.empty());
        ProxyTable t2 = build(ClusterSnapshot.builder(2).services(List.of(svc)).endpointSlices(slices).build(), t1);
        Route r1 = t1.routes().values().iterator().next();
        Route r2 = t2.routes().values().iterator().next();
        assertSame(r1.balancer(), r2.balancer());
    }

    @Test
    void conflictingAddressesAreReportedAndTheFirstServiceKeepsThem() {
        Service a = service("a", "ClusterIP", "127.96.0.3", List.of(new ServicePort("p", "TCP", null, 80, null, null)));
        Service b = service("b", "ClusterIP", "127.96.0.4", List.of(new ServicePort("p", "TCP", null, 80, null, null)));
        b = b.withSpec(new ServiceSpec("ClusterIP", Map.of(), b.spec().ports(), "127.96.0.4", List.of("127.96.0.4"),
                null, null, null, List.of("127.96.0.3"), null, null, null, null, null, null, null, null, null, null, null));
        List<EndpointSlice> slices = List.of(
                slice("a", List.of("10.1.0.1"), List.of(new EndpointPort("p", 80, null, null))),
                slice("b", List.of("10.1.0.2"), List.of(new EndpointPort("p", 80, null, null))));
        ProxyTable t = build(ClusterSnapshot.builder(1).services(List.of(a, b)).endpointSlices(slices).build(), ProxyTable.empty());
        assertEquals(1, t.problems().size());
        assertTrue(t.problems().get(0).contains("ns/b:p") && t.problems().get(0).contains("ns/a:p"), t.problems().get(0));
    }

    @Test
    void headlessAndExternalNameServicesGetNoListeners() {
        Service headless = service("h", "ClusterIP", "None", List.of(new ServicePort(null, null, null, 80, null, null)));
        ProxyTable t = build(ClusterSnapshot.builder(1).services(List.of(headless))
                .endpointSlices(List.of(slice("h", List.of("10.1.0.1"), List.of(new EndpointPort(null, 80, null, null)))))
                .build(), ProxyTable.empty());
        assertTrue(t.routes().isEmpty());
    }

    @Test
    void aChangeRecomputesOnlyTheServicesItNamesAndEqualsAFullBuild() throws Exception {
        List<Service> services = new java.util.ArrayList<>();
        List<EndpointSlice> slices = new java.util.ArrayList<>();
        for (int i = 0; i < 20; i++) {
            services.add(service("s" + i, "ClusterIP", "127.96.1." + i, List.of(new ServicePort("p", "TCP", null, 80, null, null))));
            slices.add(slice("s" + i, List.of("10.1.0." + i), List.of(new EndpointPort("p", 8080, null, null))));
        }
        ClusterSnapshot first = ClusterSnapshot.builder(1).services(services).endpointSlices(slices).build();
        ProxyTable t1 = build(first, ProxyTable.empty());

        // s3 gets a second endpoint, s7 goes, s20 comes.
        List<EndpointSlice> slices2 = new java.util.ArrayList<>(slices);
        slices2.set(3, slice("s3", List.of("10.1.0.3", "10.1.1.3"), List.of(new EndpointPort("p", 8080, null, null))));
        slices2.remove(7);
        List<Service> services2 = new java.util.ArrayList<>(services);
        services2.remove(7);
        services2.add(service("s20", "ClusterIP", "127.96.1.20", List.of(new ServicePort("p", "TCP", null, 80, null, null))));
        slices2.add(slice("s20", List.of("10.1.0.20"), List.of(new EndpointPort("p", 8080, null, null))));
        dev.clusterdns.agent.snapshot.NamespaceObjects ns = new dev.clusterdns.agent.snapshot.NamespaceObjects(
                services2, List.of(), slices2, List.of(), List.of(), List.of(), List.of());
        dev.clusterdns.agent.snapshot.SnapshotChange change = dev.clusterdns.agent.snapshot.SnapshotChange.builder()
                .add("Service", "ns/s7").add("Service", "ns/s20").add(dev.clusterdns.agent.snapshot.SnapshotChange.ENDPOINTS, "ns/s3")
                .build();
        ClusterSnapshot second = first.successor(2).namespace("ns", ns).change(change).build();

        ProxyTable incremental = t1.next(second, change, NODE, metrics, new Random(1));
        ProxyTable full = build(second, ProxyTable.empty());
        assertEquals(full.routes().keySet(), incremental.routes().keySet());
        for (var e : full.routes().entrySet()) {
            assertEquals(Set.copyOf(e.getValue().balancer().endpoints()),
                    Set.copyOf(incremental.routes().get(e.getKey()).balancer().endpoints()), e.getKey().toString());
        }
        InetAddress s3 = InetAddress.getByName("127.96.1.3");
        assertEquals(Set.of(new ListenKey(Protocol.TCP, s3, 80), new ListenKey(Protocol.TCP, InetAddress.getByName("127.96.1.7"), 80),
                new ListenKey(Protocol.TCP, InetAddress.getByName("127.96.1.20"), 80)), incremental.changedKeys());
        InetAddress s4 = InetAddress.getByName("127.96.1.4");
        assertSame(t1.routes().get(new ListenKey(Protocol.TCP, s4, 80)), incremental.routes().get(new ListenKey(Protocol.TCP, s4, 80)),
                "an untouched Service keeps its route object");
    }
}
