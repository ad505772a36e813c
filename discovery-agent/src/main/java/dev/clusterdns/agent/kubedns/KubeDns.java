package dev.clusterdns.agent.kubedns;

import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.IntOrString;
import dev.clusterdns.agent.model.ObjectMeta;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import dev.clusterdns.agent.model.ServiceSpec;
import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.agent.net.IpAddresses;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * `kube-system/kube-dns` as kubeadm creates it: ClusterIP the 10th address of the first service
 * CIDR, ports `dns` 53/UDP, `dns-tcp` 53/TCP and `metrics` 9153/TCP, labelled as CoreDNS's Service.
 * Its endpoints are clusterdns's own DNS server (and HTTP port for `metrics`): the Service has no
 * selector and a hand-managed Endpoints object, which the agent mirrors into an EndpointSlice.
 */
public final class KubeDns {
    public static final String NAMESPACE = "kube-system";
    public static final String NAME = "kube-dns";
    public static final int DNS_PORT = 53;
    public static final int METRICS_PORT = 9153;

    /**
     * Where the DNS server listens, as the endpoints name it.
     *
     * @param host the DNS listen address; a wildcard is given as the loopback address
     */
    public record Target(String host, int dnsPort, int metricsPort) {
        public static final Target DEFAULT = new Target("127.0.0.1", 1053, 9153);

        public Target {
            if (host == null || host.isEmpty() || "0.0.0.0".equals(host)) {
                host = "127.0.0.1";
            } else if ("::".equals(host) || "[::]".equals(host)) {
                host = "::1";
            }
        }
    }

    private KubeDns() {}

    /** The 10th address of {@code serviceCidr}: 10.96.0.10 for 10.96.0.0/12, 127.96.0.10 for 127.96.0.0/12. */
    public static String clusterIp(String serviceCidr) {
        Cidr cidr = Cidr.parse(serviceCidr);
        return IpAddresses.format(cidr.address(BigInteger.TEN).getAddress());
    }

    /** True when the CIDR has a 10th address to give (not its broadcast address): a /28 or larger. */
    public static boolean fits(String serviceCidr) {
        return Cidr.parse(serviceCidr).size().compareTo(BigInteger.valueOf(11)) > 0;
    }

    /** True when {@code services} already hold `kube-system/kube-dns` (a manifest defines it). */
    public static boolean definedIn(List<Service> services) {
        return services.stream().anyMatch(s -> NAMESPACE.equals(s.namespace()) && NAME.equals(s.name()));
    }

    public static Service service(String clusterIp, Target target) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("k8s-app", "kube-dns");
        labels.put("kubernetes.io/cluster-service", "true");
        labels.put("kubernetes.io/name", "CoreDNS");
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put("prometheus.io/port", Integer.toString(METRICS_PORT));
        annotations.put("prometheus.io/scrape", "true");
        ObjectMeta meta = ObjectMeta.of(NAMESPACE, NAME).withLabels(labels).withAnnotations(annotations);
        List<ServicePort> ports = List.of(
                new ServicePort("dns", "UDP", null, DNS_PORT, IntOrString.of(target.dnsPort()), null),
                new ServicePort("dns-tcp", "TCP", null, DNS_PORT, IntOrString.of(target.dnsPort()), null),
                new ServicePort("metrics", "TCP", null, METRICS_PORT, IntOrString.of(target.metricsPort()), null));
        ServiceSpec spec = new ServiceSpec("ClusterIP", null, ports, clusterIp, List.of(clusterIp), null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null);
        return new Service("v1", "Service", meta, spec, null);
    }

    /** The DNS server itself as the Service's one endpoint. */
    public static Endpoints endpoints(Target target) {
        List<EndpointPort> ports = List.of(
                new EndpointPort("dns", target.dnsPort(), "UDP", null),
                new EndpointPort("dns-tcp", target.dnsPort(), "TCP", null),
                new EndpointPort("metrics", target.metricsPort(), "TCP", null));
        Endpoints.Subset subset = new Endpoints.Subset(
                List.of(new Endpoints.Address(target.host(), null, null, null)), null, ports);
        ObjectMeta meta = ObjectMeta.of(NAMESPACE, NAME).withLabels(Map.of("k8s-app", "kube-dns"));
        return new Endpoints("v1", "Endpoints", meta, List.of(subset));
    }
}
