package dev.clusterdns.cli.serve;

import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.dns.DnsServer;
import dev.clusterdns.dns.WarmUp;
import dev.clusterdns.dns.cluster.ClusterOptions;
import dev.clusterdns.dns.cluster.ClusterSetup;
import dev.clusterdns.dns.cluster.PodMode;
import dev.clusterdns.dns.pipeline.Pipeline;
import dev.clusterdns.dns.pipeline.SetupContext;
import dev.clusterdns.dns.pipeline.StageSetup;
import dev.clusterdns.dns.transport.DnsMetrics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** DNS server flags and start-up. Owned by the dns-server work (issue 3). */
@picocli.CommandLine.Command
public final class DnsOptions {
    private static final Logger LOG = LoggerFactory.getLogger(DnsOptions.class);
    static final String DEFAULT_LISTEN = "127.0.0.1:1053";

    @Option(names = "--dns-listen", paramLabel = "HOST:PORT", description = "DNS listen address, UDP and TCP (repeatable; default 127.0.0.1:1053).")
    List<String> listen;

    @Option(names = "--ttl", paramLabel = "SECONDS", defaultValue = "5",
            description = "TTL of cluster records, 0-3600 (default ${DEFAULT-VALUE}); SOA TTL is min(ttl, 300).")
    int ttl;

    @Option(names = "--pods", paramLabel = "MODE", defaultValue = "insecure",
            description = "Pod records a-b-c-d.<ns>.pod.<zone>: disabled, insecure or verified (default ${DEFAULT-VALUE}).")
    String pods;

    @Option(names = "--namespaces", paramLabel = "NS", split = ",",
            description = "Only these namespaces exist for DNS (default: all).")
    List<String> namespaces;

    @Option(names = "--endpoint-pod-names", description = "Name endpoints without a hostname after their pod, not their dashed IP.")
    boolean endpointPodNames;

    @Option(names = "--ignore-empty-service", description = "ClusterIP Services without ready endpoints are NXDOMAIN.")
    boolean ignoreEmptyService;

    @Option(names = "--dns-sockets", paramLabel = "N",
            description = "UDP sockets (SO_REUSEPORT, a serving thread each) and TCP event-loop threads per DNS address (default: cores, at most 4).")
    Integer sockets;

    @Option(names = "--edns-size", paramLabel = "BYTES", defaultValue = "1232",
            description = "EDNS UDP payload size advertised and honoured at most (default ${DEFAULT-VALUE}).")
    int ednsSize;

    @Option(names = "--dns-tcp-idle", paramLabel = "SECONDS", defaultValue = "10",
            description = "Idle timeout of DNS TCP connections (default ${DEFAULT-VALUE}).")
    int tcpIdleSeconds;

    @Option(names = "--log-queries", description = "Log one line per query in CoreDNS's log format (client, id, type, class, name, "
            + "proto, size, DO, bufsize, rcode, flags, reply size, duration).")
    boolean logQueries;

    @Option(names = "--rrl-rate", paramLabel = "N", defaultValue = "0",
            description = "UDP replies per second per client /24 (IPv4) or /56 (IPv6); beyond it replies are dropped or slipped (default 0 = off).")
    int rrlRate;

    @Option(names = "--rrl-slip", paramLabel = "N", defaultValue = "2",
            description = "With --rrl-rate, every Nth limited reply is sent empty and truncated so real clients retry over TCP (0 = drop all; default ${DEFAULT-VALUE}).")
    int rrlSlip;

    @Option(names = "--dns-tcp-per-client", paramLabel = "N", defaultValue = "100",
            description = "Open DNS TCP connections allowed per client address; more are closed at once (default ${DEFAULT-VALUE}).")
    int tcpPerClient;

    @Option(names = "--lameduck", paramLabel = "SECONDS", defaultValue = "0",
            description = "On SIGTERM, answer /ready with 503 and keep serving this long before stopping (CoreDNS health lameduck; default ${DEFAULT-VALUE}).")
    int lameDuckSeconds;

    /** How long to keep serving after SIGTERM with /ready at 503 (`--lameduck`). */
    public Duration lameDuck() {
        if (lameDuckSeconds < 0) {
            throw new IllegalArgumentException("--lameduck must be >= 0 seconds, not " + lameDuckSeconds);
        }
        return Duration.ofSeconds(lameDuckSeconds);
    }

    /** Addresses the DNS server answers on besides --dns-listen (kube-dns's ClusterIP:53), once started. */
    private final List<InetSocketAddress> clusterIpAddresses = new ArrayList<>();

    /** Where kube-system/kube-dns's endpoints point: the first --dns-listen address and the HTTP port. */
    public dev.clusterdns.agent.kubedns.KubeDns.Target kubeDnsTarget(String httpListen) {
        InetSocketAddress dns = HostPort.parse(listen == null || listen.isEmpty() ? DEFAULT_LISTEN : listen.get(0), 53);
        InetSocketAddress http = HostPort.parse(httpListen, 9153);
        return new dev.clusterdns.agent.kubedns.KubeDns.Target(dev.clusterdns.agent.net.IpAddresses.format(dns.getAddress()),
                dns.getPort(), http.getPort());
    }

    /** kube-dns's ClusterIP:53 when the DNS server answers there itself (the proxy must leave it alone). */
    public List<InetSocketAddress> servedClusterIpAddresses() {
        return List.copyOf(clusterIpAddresses);
    }

    /**
     * kube-dns's ClusterIP port 53, when the agent made kube-dns (its endpoints are this server) and
     * this process may bind there: root or CAP_NET_BIND_SERVICE, and the address is local (any
     * 127.x is; others once the proxy's interface mode has added them). Said once otherwise.
     */
    private List<InetSocketAddress> kubeDnsClusterIp(ServeContext context, List<InetSocketAddress> configured) {
        var svc = context.cluster().current().service(dev.clusterdns.agent.kubedns.KubeDns.NAMESPACE,
                dev.clusterdns.agent.kubedns.KubeDns.NAME).orElse(null);
        if (svc == null || svc.spec().selector() != null || !svc.hasClusterIP()) {
            return List.of();
        }
        int target = context.agent().kubeDns().dnsPort();
        boolean ours = svc.spec().ports().stream().anyMatch(p -> "dns".equals(p.name()) && p.targetPort() != null
                && p.targetPort().isInt() && p.targetPort().intValue() == target);
        InetSocketAddress at = new InetSocketAddress(dev.clusterdns.agent.net.IpAddresses.toInetAddress(svc.spec().clusterIP()),
                dev.clusterdns.agent.kubedns.KubeDns.DNS_PORT);
        if (!ours || configured.contains(at)) {
            return List.of();
        }
        try (java.net.DatagramSocket udp = new java.net.DatagramSocket(at);
             java.net.ServerSocket tcp = new java.net.ServerSocket()) {
            tcp.bind(at);
        } catch (java.io.IOException | SecurityException e) {
            LOG.info("DNS does not answer on kube-dns's ClusterIP {}:53 itself ({}): binding port 53 needs root or "
                    + "CAP_NET_BIND_SERVICE; the proxy carries it to {} where it may", svc.spec().clusterIP(),
                    e.getMessage(), configured.get(0));
            return List.of();
        }
        return List.of(at);
    }

    /**
     * Starts the DNS server: the cluster zone and the resolver stages {@code resolver}'s flags turn
     * on, in {@link dev.clusterdns.dns.pipeline.StageOrder}. The handle stops the listeners, then
     * the stages (rebuild thread, zone-file and hosts watchers, the forwarder's event loop).
     */
    public AutoCloseable start(ServeContext context, ResolverOptions resolver) throws Exception {
        Runnable ready = context.readiness().gate("dns");
        List<InetSocketAddress> addresses = listenAddresses();
        List<Cidr> cidrs = new ArrayList<>();
        for (String c : context.agent().serviceCidrs()) {
            cidrs.add(Cidr.parse(c));
        }
        Set<String> exposed = new LinkedHashSet<>();
        if (namespaces != null) {
            namespaces.stream().map(String::trim).filter(s -> !s.isEmpty()).forEach(exposed::add);
        }
        List<InetAddress> nsAddresses = addresses.stream().map(InetSocketAddress::getAddress)
                .filter(a -> !a.isAnyLocalAddress()).distinct().toList();
        PodMode podMode = PodMode.parse(pods);
        ClusterOptions options = new ClusterOptions(context.agent().clusterDomain(), ttl, podMode, exposed,
                endpointPodNames, ignoreEmptyService, cidrs, nsAddresses);
        List<StageSetup> setups = new ArrayList<>(resolver.setups(context, addresses, podMode));
        setups.add(new ClusterSetup(options));
        clusterIpAddresses.addAll(kubeDnsClusterIp(context, addresses));
        addresses.addAll(clusterIpAddresses);
        int n = sockets != null ? sockets : DnsServer.Config.defaultSockets();
        DnsServer.Config config = new DnsServer.Config(addresses, n, ednsSize, Duration.ofSeconds(tcpIdleSeconds), logQueries,
                new DnsServer.Limits(rrlRate, rrlSlip, tcpPerClient));
        Pipeline pipeline = Pipeline.assemble(setups,
                new SetupContext(context.cluster(), options.domain(), context.metrics()));
        DnsServer server;
        try {
            server = DnsServer.start(config, pipeline, DnsMetrics.register(context.metrics()));
        } catch (Exception e) {
            pipeline.close();
            throw e;
        }
        LOG.info("DNS on {} (UDP: {} sockets, a serving thread each; TCP: {} x {} event loops), zone {}., stages {}",
                server.addresses(), n, n, server.transportName(), options.domain(), pipeline.names());
        WarmUp.run(config, pipeline, options.domain());
        ready.run();
        return () -> {
            server.close();
            pipeline.close();
        };
    }

    private List<InetSocketAddress> listenAddresses() {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String text : listen == null || listen.isEmpty() ? List.of(DEFAULT_LISTEN) : listen) {
            try {
                addresses.add(HostPort.parse(text, 53));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--dns-listen: " + e.getMessage());
            }
        }
        return addresses;
    }
}
