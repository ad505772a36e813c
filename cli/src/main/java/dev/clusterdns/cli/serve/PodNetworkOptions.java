package dev.clusterdns.cli.serve;

import dev.clusterdns.agent.AgentConfig;
import dev.clusterdns.agent.kubedns.KubeDns;
import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.agent.net.IpAddresses;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/**
 * `--pod-network BRIDGE`: serve network namespaces and containers, which cannot reach this host's
 * loopback. Service addresses move off loopback to kubeadm's ranges (`--service-cidr 10.96.0.0/12`,
 * `--pod-cidr 10.244.0.0/16` unless given), the proxy holds the ClusterIPs on an interface
 * (`--proxy-mode interface`), and a Linux bridge BRIDGE gets the pod CIDR's gateway (its first
 * address) and kube-dns's ClusterIP, so the DNS server answers on ClusterIP:53 before the proxy
 * starts. A namespace joined to the bridge (or a container on podman's or docker's bridge, whose
 * default route leads to this host) reaches every ClusterIP, and `resolvconf`/`env --format docker`
 * print what to give it. Needs root (CAP_NET_ADMIN) and iproute2. The bridge is removed on exit.
 */
@picocli.CommandLine.Command
public final class PodNetworkOptions {
    private static final Logger LOG = LoggerFactory.getLogger(PodNetworkOptions.class);
    static final String SERVICE_CIDR = "10.96.0.0/12";
    static final String POD_CIDR = "10.244.0.0/16";

    @Option(names = "--pod-network", paramLabel = "BRIDGE",
            description = "Serve network namespaces and containers: create bridge BRIDGE (gateway of --pod-cidr), put "
                    + "Service addresses off loopback (default --service-cidr " + SERVICE_CIDR + ", --pod-cidr " + POD_CIDR
                    + ") on an interface, and answer DNS on kube-dns's ClusterIP:53. Needs root.")
    String bridge;

    public boolean enabled() {
        return bridge != null && !bridge.isBlank();
    }

    /** kubeadm's ranges where the user gave none; loopback ranges are refused (unreachable from a namespace). */
    public AgentConfig adjust(AgentConfig config, boolean serviceCidrGiven, boolean podCidrGiven) {
        if (!enabled()) {
            return config;
        }
        List<String> services = serviceCidrGiven ? config.serviceCidrs() : List.of(SERVICE_CIDR);
        String pods = podCidrGiven ? config.podCidr() : POD_CIDR;
        for (String c : services) {
            if (Cidr.parse(c).contains("127.0.0.1") || c.startsWith("127.")) {
                throw new IllegalArgumentException("--pod-network: --service-cidr " + c
                        + " is on loopback, which another network namespace cannot reach; use e.g. " + SERVICE_CIDR);
            }
        }
        if (pods.startsWith("127.")) {
            throw new IllegalArgumentException("--pod-network: --pod-cidr " + pods
                    + " is on loopback, which another network namespace cannot reach; use e.g. " + POD_CIDR);
        }
        return new AgentConfig(config.manifests(), config.stateDir(), services, config.nodePortRange(),
                config.loadBalancerCidr(), config.clusterDomain(), config.kubernetesApi(), pods, config.nodeName(),
                config.kubeDns(), config.maxManifestBytes());
    }

    /** Creates (or reuses) the bridge with the gateway and kube-dns's ClusterIP; removes what it made on close. */
    public AutoCloseable start(AgentConfig config) throws IOException {
        if (!enabled()) {
            return () -> {};
        }
        Cidr pods = Cidr.parse(config.podCidr());
        String gateway = IpAddresses.format(pods.address(BigInteger.ONE).getAddress()) + "/" + pods.prefixLength();
        String dns = KubeDns.clusterIp(config.serviceCidrs().get(0)) + (pods.isIpv6() ? "/128" : "/32");
        String routes = output("ip", "-o", pods.isIpv6() ? "-6" : "-4", "route", "show");
        String clash = routes == null ? null : shadowingRoute(pods, bridge, routes);
        if (clash != null) {
            throw new IOException("--pod-network " + bridge + ": --pod-cidr " + config.podCidr() + " overlaps this host's route '"
                    + clash + "': replies to pod addresses would leave by that interface instead of the bridge; choose a"
                    + " --pod-cidr no route covers as narrowly (podman uses 10.88.0.0/16, docker 172.17.0.0/16)");
        }
        boolean exists = run("ip", "link", "show", "dev", bridge) == null;
        List<String> added = new ArrayList<>();
        if (!exists) {
            String err = run("ip", "link", "add", bridge, "type", "bridge");
            if (err != null) {
                throw new IOException("--pod-network " + bridge + ": cannot create the bridge: " + err
                        + " (needs root or CAP_NET_ADMIN, and iproute2)");
            }
        }
        for (String a : List.of(gateway, dns)) {
            String err = run("ip", "addr", "add", a, "dev", bridge);
            if (err == null) {
                added.add(a);
            } else if (!err.contains("File exists")) {
                throw new IOException("--pod-network " + bridge + ": cannot add " + a + ": " + err);
            }
        }
        String up = run("ip", "link", "set", "dev", bridge, "up");
        if (up != null) {
            throw new IOException("--pod-network " + bridge + ": cannot bring it up: " + up);
        }
        LOG.info("pod network: bridge {} with gateway {} and kube-dns {}; Service CIDR {}, pod CIDR {}", bridge,
                gateway, dns, config.serviceCidrs(), config.podCidr());
        return () -> {
            if (!exists) {
                run("ip", "link", "del", "dev", bridge);
            } else {
                added.forEach(a -> run("ip", "addr", "del", a, "dev", bridge));
            }
        };
    }

    /**
     * The first route of {@code ip -o route show} output, on a device other than {@code bridge}, whose
     * destination lies inside the pod CIDR (as narrow or narrower): the kernel would prefer it, or tie, for
     * some pod addresses. Broader routes (a default, a VPN's 10.0.0.0/8) are fine: the bridge's is narrower.
     */
    static String shadowingRoute(Cidr pods, String bridge, String routes) {
        for (String line : routes.split("\n")) {
            String[] f = line.trim().split("\\s+");
            int dev = java.util.Arrays.asList(f).indexOf("dev");
            if (f.length < 3 || dev < 0 || dev + 1 >= f.length || f[dev + 1].equals(bridge)) {
                continue;
            }
            String dest = f[0];
            if (List.of("default", "unreachable", "prohibit", "blackhole", "broadcast", "local", "multicast").contains(dest)) {
                continue;
            }
            Cidr route;
            try {
                route = Cidr.parse(dest);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (route.isIpv6() == pods.isIpv6() && route.prefixLength() >= pods.prefixLength()
                    && pods.contains(route.networkAddress())) {
                return line.trim().replaceAll("\\s+", " ");
            }
        }
        return null;
    }

    /** The command's output, or null if it failed (then nothing is checked). */
    private static String output(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Null on success, else the command's output. */
    private static String run(String... cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return String.join(" ", cmd) + ": timed out";
            }
            return p.exitValue() == 0 ? null : out.isEmpty() ? "exit " + p.exitValue() : out;
        } catch (IOException e) {
            return String.join(" ", cmd) + ": " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }
}
