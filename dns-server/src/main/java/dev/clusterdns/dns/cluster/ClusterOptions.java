package dev.clusterdns.dns.cluster;

import dev.clusterdns.agent.net.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.Set;

/**
 * How the cluster zone answers; CoreDNS's kubernetes plugin options under clusterdns' flag names.
 *
 * @param domain the cluster domain without trailing dot (`cluster.local`)
 * @param ttl record TTL, 0..3600 (`--ttl`)
 * @param pods pod record mode (`--pods`)
 * @param namespaces exposed namespaces; empty exposes all (`--namespaces`)
 * @param endpointPodNames name endpoints without a hostname after their pod (`--endpoint-pod-names`)
 * @param ignoreEmptyService ClusterIP Services without ready endpoints do not exist (`--ignore-empty-service`)
 * @param serviceCidrs the reverse zones this stage is authoritative for
 * @param nameServerAddresses addresses for `ns.dns.<zone>` (the NS glue): where the server listens
 */
public record ClusterOptions(
        String domain,
        int ttl,
        PodMode pods,
        Set<String> namespaces,
        boolean endpointPodNames,
        boolean ignoreEmptyService,
        List<Cidr> serviceCidrs,
        List<InetAddress> nameServerAddresses) {

    public static final int DEFAULT_TTL = 5;

    public ClusterOptions {
        if (ttl < 0 || ttl > 3600) {
            throw new IllegalArgumentException("--ttl must be between 0 and 3600 seconds, not " + ttl);
        }
        domain = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
        namespaces = Set.copyOf(namespaces);
        serviceCidrs = List.copyOf(serviceCidrs);
        nameServerAddresses = List.copyOf(nameServerAddresses);
    }

    /** CoreDNS defaults in the cluster domain, with pods insecure as kubeadm configures them. */
    public static ClusterOptions defaults(String domain) {
        return new ClusterOptions(domain, DEFAULT_TTL, PodMode.INSECURE, Set.of(), false, false, List.of(), List.of());
    }

    boolean exposes(String namespace) {
        return namespaces.isEmpty() || namespaces.contains(namespace);
    }
}
