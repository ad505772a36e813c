package dev.clusterdns.cli.serve;

import dev.clusterdns.agent.net.IpAddresses;
import dev.clusterdns.agent.snapshot.Problem;
import dev.clusterdns.proxy.BindFailure;
import dev.clusterdns.proxy.ProxyConfig;
import dev.clusterdns.proxy.ProxyMode;
import dev.clusterdns.proxy.ServiceProxy;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/** L4 proxy flags and start-up. Owned by the proxy work (issue 6). */
@picocli.CommandLine.Command
public final class ProxyOptions implements ServeComponent {
    /** Where NodePorts listen by default with manifests (not the LAN). */
    static final String DEFAULT_NODE_ADDRESS = "127.0.0.1";
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h)");

    @Option(names = "--no-proxy", description = "Do not run the L4 proxy.")
    boolean noProxy;

    @Option(names = "--node-address", paramLabel = "IP",
            description = "Address NodePorts listen on (repeatable; 0.0.0.0 or :: for every address). Default: "
                    + "127.0.0.1 with manifests, so a laptop does not publish NodePorts on its network; every address "
                    + "with --kubeconfig/--kube-api-server, as kube-proxy.")
    List<String> nodeAddresses;

    @Option(names = "--proxy-mode", paramLabel = "MODE", defaultValue = "userspace",
            description = "userspace: bind Service addresses that are local (the default service CIDR is in 127.0.0.0/8); "
                    + "interface (root): also put ClusterIPs and LoadBalancer IPs outside loopback on a dummy interface "
                    + "(default ${DEFAULT-VALUE}).")
    String mode;

    @Option(names = "--node-name", paramLabel = "NAME",
            description = "This node's name, for externalTrafficPolicy/internalTrafficPolicy Local (default: the host name).")
    String nodeName;

    @Option(names = "--proxy-udp-timeout", paramLabel = "DURATION", defaultValue = "30s",
            description = "Close a UDP session idle this long (e.g. 250ms, 30s; default ${DEFAULT-VALUE}).")
    String udpTimeout;

    @Option(names = "--proxy-tcp-idle-timeout", paramLabel = "DURATION", defaultValue = "1h",
            description = "Close a TCP connection idle both ways this long; 0 = never (default ${DEFAULT-VALUE}).")
    String tcpIdleTimeout;

    @Option(names = "--proxy-interface", paramLabel = "NAME", defaultValue = ProxyConfig.DEFAULT_INTERFACE,
            description = "Dummy interface of --proxy-mode interface (default ${DEFAULT-VALUE}).")
    String interfaceName;

    @Option(names = "--proxy-transport", paramLabel = "nio|epoll", defaultValue = "epoll",
            description = "epoll (native: fewer system calls and less CPU per connection; NIO where "
                    + "unavailable) or nio (default ${DEFAULT-VALUE}).")
    String transport;

    @Option(names = "--proxy-threads", paramLabel = "N", defaultValue = "0",
            description = "Proxy event-loop threads; 0 = one per core (default ${DEFAULT-VALUE}).")
    int threads;

    private List<java.net.InetSocketAddress> servedElsewhere = List.of();

    /** `--pod-network` needs the ClusterIPs on an interface, where routed traffic arrives. */
    public void useInterfaceMode() {
        if (!"interface".equalsIgnoreCase(mode)) {
            mode = "interface";
        }
    }

    /** Addresses another component serves itself (DNS on kube-dns's ClusterIP:53): no listener there. */
    public void leaveAlone(List<java.net.InetSocketAddress> addresses) {
        servedElsewhere = List.copyOf(addresses);
    }

    /** The settings these flags describe for the manifest source; bad values fail with the flag named. */
    public ProxyConfig config() {
        return config(false);
    }

    /**
     * The settings these flags describe; bad values fail with the flag named.
     *
     * @param kubernetesApi the objects come from a Kubernetes API server: NodePorts default to every
     *     address, as kube-proxy's; otherwise to 127.0.0.1
     */
    public ProxyConfig config(boolean kubernetesApi) {
        ProxyMode m = switch (mode.toLowerCase(Locale.ROOT)) {
            case "userspace" -> ProxyMode.USERSPACE;
            case "interface" -> ProxyMode.INTERFACE;
            default -> throw new IllegalArgumentException("--proxy-mode " + mode + ": expected userspace or interface");
        };
        List<InetAddress> addresses = new ArrayList<>();
        if (nodeAddresses == null && !kubernetesApi) {
            addresses.add(IpAddresses.toInetAddress(DEFAULT_NODE_ADDRESS));
        }
        if (nodeAddresses != null) {
            for (String a : nodeAddresses) {
                if (!IpAddresses.isValid(a)) {
                    throw new IllegalArgumentException("--node-address " + a + ": not an IP address");
                }
                addresses.add(IpAddresses.toInetAddress(a));
            }
        }
        if (threads < 0) {
            throw new IllegalArgumentException("--proxy-threads " + threads + ": must be 0 or more");
        }
        boolean nativeTransport = switch (transport.toLowerCase(Locale.ROOT)) {
            case "epoll", "native" -> true;
            case "nio" -> false;
            default -> throw new IllegalArgumentException("--proxy-transport " + transport + ": expected nio or epoll");
        };
        Duration udp = duration("--proxy-udp-timeout", udpTimeout);
        if (udp.isZero()) {
            throw new IllegalArgumentException("--proxy-udp-timeout " + udpTimeout + ": must be more than 0");
        }
        return new ProxyConfig(m, nodeName == null ? hostName() : nodeName, addresses,
                duration("--proxy-tcp-idle-timeout", tcpIdleTimeout), udp, interfaceName, threads, 65536, nativeTransport);
    }

    @Override
    public AutoCloseable start(ServeContext context) throws IOException {
        if (noProxy) {
            return () -> {};
        }
        ProxyConfig config = config(context.agent().kubernetesApi() != null).withServedElsewhere(servedElsewhere);
        Runnable ready = context.readiness().gate("proxy");
        ServiceProxy proxy = new ServiceProxy(context.cluster(), config, context.metrics());
        proxy.start();
        // A socket that cannot bind does not hold readiness back (the rest serves, as with
        // kube-proxy); it is listed in /ready's body and /api/clusterdns/problems, and retried.
        context.readiness().reportProblems(() -> problems(proxy.bindFailures()));
        proxy.firstSync().thenRun(ready);
        return proxy;
    }

    static List<Problem> problems(List<BindFailure> failures) {
        List<Problem> out = new ArrayList<>(failures.size());
        for (BindFailure f : failures) {
            out.add(new Problem("proxy", "Service " + f.servicePort(), f.toString()));
        }
        return out;
    }

    /** Go-style durations as kube-proxy takes them: `250ms`, `30s`, `5m`, `1h30m`; a bare number is seconds. */
    static Duration duration(String flag, String text) {
        String t = text.trim();
        if (t.matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(t));
        }
        Matcher m = DURATION_PART.matcher(t);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find() && m.start() == end) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            });
            end = m.end();
        }
        if (end != t.length() || t.isEmpty()) {
            throw new IllegalArgumentException(flag + " " + text + ": expected a duration such as 250ms, 30s, 5m or 1h");
        }
        return total;
    }

    /** The kernel's host name, lower-cased, as kube-proxy's default node name (no DNS lookup). */
    private static String hostName() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII).trim();
            if (!h.isEmpty()) {
                return h.toLowerCase(Locale.ROOT);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        String env = System.getenv("HOSTNAME");
        return env == null || env.isBlank() ? "localhost" : env.toLowerCase(Locale.ROOT);
    }
}
