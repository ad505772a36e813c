package dev.clusterdns.dns;

import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Namespace;
import dev.clusterdns.agent.model.ObjectMeta;
import dev.clusterdns.agent.model.ObjectReference;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.PodIP;
import dev.clusterdns.agent.model.PodStatus;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import dev.clusterdns.agent.model.ServiceSpec;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Hand-built cluster objects for DNS tests (what the agent would publish after its controllers). */
public final class TestCluster {
    private TestCluster() {}

    public static Service clusterIp(String ns, String name, List<String> ips, ServicePort... ports) {
        return new Service("v1", "Service", ObjectMeta.of(ns, name), spec("ClusterIP", ips.get(0), ips, null, ports), null);
    }

    public static Service headless(String ns, String name, ServicePort... ports) {
        return new Service("v1", "Service", ObjectMeta.of(ns, name), spec("ClusterIP", "None", List.of("None"), null, ports),
                null);
    }

    public static Service externalName(String ns, String name, String target) {
        return new Service("v1", "Service", ObjectMeta.of(ns, name), spec("ExternalName", null, List.of(), target), null);
    }

    private static ServiceSpec spec(String type, String clusterIp, List<String> ips, String ext, ServicePort... ports) {
        return new ServiceSpec(type, Map.of("app", "x"), List.of(ports), clusterIp, ips, null, null, ext, null, null,
                null, null, null, null, null, null, null, null, null, null);
    }

    public static ServicePort port(String name, String proto, int port) {
        return new ServicePort(name, proto, null, port, null, null);
    }

    public static EndpointPort epPort(String name, String proto, int port) {
        return new EndpointPort(name, port, proto, null);
    }

    public static EndpointSlice.Endpoint endpoint(String ip, String hostname, Boolean ready, String podName) {
        return new EndpointSlice.Endpoint(List.of(ip), new EndpointSlice.Conditions(ready, null, null), hostname, null,
                null, podName == null ? null : new ObjectReference("Pod", null, podName, null));
    }

    public static EndpointSlice slice(String ns, String service, String suffix, List<EndpointPort> ports,
            EndpointSlice.Endpoint... endpoints) {
        ObjectMeta meta = ObjectMeta.of(ns, service + "-" + suffix)
                .withLabels(Map.of(EndpointSlice.SERVICE_NAME_LABEL, service));
        String type = endpoints.length > 0 && endpoints[0].addresses().get(0).contains(":") ? "IPv6" : "IPv4";
        return new EndpointSlice("discovery.k8s.io/v1", "EndpointSlice", meta, type, List.of(endpoints), ports);
    }

    public static Pod pod(String ns, String name, String ip) {
        return new Pod("v1", "Pod", ObjectMeta.of(ns, name), null,
                new PodStatus("Running", ip, List.of(new PodIP(ip)), null, null));
    }

    /**
     * Namespace `shop` with: web (ClusterIP 10.96.0.50, http 80 + https 443, two ready endpoints and
     * one not ready), db (headless, db-0, db-1 and an endpoint without hostname, mysql 3306), ext
     * (ExternalName www.example.com), alias (ExternalName to web), ipext (ExternalName 10.0.0.5),
     * dual (10.96.0.60 + fd00::60, dns 53/UDP), empty (headless, no endpoints), lonely (ClusterIP, no
     * endpoints), big (headless, 100 endpoints), dualdb (headless, pg-0 in a v4 and a v6 slice), shared
     * (headless without ports, two endpoints with hostname `same`), loop (ExternalName to itself),
     * chain (ExternalName to alias); namespace `default` with my-nginx; hidden/secret; pod shop/web-1.
     */
    public static ClusterSnapshot snapshot(long revision) {
        List<Service> services = new ArrayList<>();
        List<EndpointSlice> slices = new ArrayList<>();
        services.add(clusterIp("shop", "web", List.of("10.96.0.50"), port("http", "TCP", 80), port("https", "TCP", 443)));
        slices.add(slice("shop", "web", "a", List.of(epPort("http", "TCP", 8080), epPort("https", "TCP", 8443)),
                endpoint("10.244.1.5", null, true, "web-1"), endpoint("10.244.1.6", null, null, "web-2"),
                endpoint("10.244.1.7", null, false, "web-3")));
        services.add(headless("shop", "db", port("mysql", "TCP", 3306)));
        slices.add(slice("shop", "db", "a", List.of(epPort("mysql", "TCP", 3306)),
                endpoint("10.244.2.1", "db-0", true, "db-0"), endpoint("10.244.2.2", "db-1", true, "db-1"),
                endpoint("10.244.2.3", null, true, "db-x")));
        services.add(externalName("shop", "ext", "www.example.com"));
        services.add(externalName("shop", "alias", "web.shop.svc.cluster.local"));
        services.add(externalName("shop", "ipext", "10.0.0.5"));
        services.add(clusterIp("shop", "dual", List.of("10.96.0.60", "fd00::60"), port("dns", "UDP", 53)));
        services.add(headless("shop", "empty"));
        services.add(clusterIp("shop", "lonely", List.of("10.96.0.70"), port("http", "TCP", 80)));
        services.add(headless("shop", "big", port("http", "TCP", 80)));
        EndpointSlice.Endpoint[] many = new EndpointSlice.Endpoint[100];
        for (int i = 0; i < many.length; i++) {
            many[i] = endpoint("10.245." + (i / 250) + "." + (i % 250 + 1), null, true, null);
        }
        slices.add(slice("shop", "big", "a", List.of(epPort("http", "TCP", 80)), many));
        services.add(clusterIp("default", "my-nginx", List.of("10.96.0.80"), port(null, "TCP", 80)));
        slices.add(slice("default", "my-nginx", "a", List.of(epPort(null, "TCP", 80)),
                endpoint("10.244.3.1", null, true, "my-nginx-1"), endpoint("10.244.3.2", null, true, "my-nginx-2")));
        services.add(clusterIp("hidden", "secret", List.of("10.96.0.90"), port("http", "TCP", 80)));
        services.add(headless("shop", "dualdb", port("pg", "TCP", 5432)));
        slices.add(slice("shop", "dualdb", "v4", List.of(epPort("pg", "TCP", 5432)), endpoint("10.244.5.1", "pg-0", true, null)));
        slices.add(slice("shop", "dualdb", "v6", List.of(epPort("pg", "TCP", 5432)), endpoint("fd00::5:1", "pg-0", true, null)));
        services.add(headless("shop", "shared"));
        slices.add(slice("shop", "shared", "a", List.of(), endpoint("10.244.6.1", "same", true, null),
                endpoint("10.244.6.2", "same", true, null)));
        services.add(externalName("shop", "loop", "loop.shop.svc.cluster.local"));
        services.add(externalName("shop", "chain", "alias.shop.svc.cluster.local"));
        return ClusterSnapshot.builder(revision)
                .namespaces(List.of(Namespace.named("default"), Namespace.named("kube-system"), Namespace.named("shop"),
                        Namespace.named("hidden")))
                .services(services)
                .endpointSlices(slices)
                .pods(List.of(pod("shop", "web-1", "10.244.1.5")))
                .build();
    }
}
