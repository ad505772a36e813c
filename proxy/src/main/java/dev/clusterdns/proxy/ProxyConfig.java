package dev.clusterdns.proxy;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

/**
 * Proxy settings.
 *
 * @param mode userspace (bind what is local) or interface (add addresses to a dummy interface)
 * @param nodeName this node, for `Local` traffic policies (matched against endpoint `nodeName`)
 * @param nodeAddresses where NodePorts listen; empty = every address (0.0.0.0)
 * @param tcpIdleTimeout a TCP connection idle both ways this long is closed (zero = never)
 * @param udpTimeout a UDP session idle both ways this long is closed
 * @param interfaceName the dummy interface of the interface mode
 * @param threads event loops (0 = one per core)
 * @param maxUdpSessions per UDP listener
 * @param nativeTransport native epoll when available (the default; fewer system calls and less CPU per
 *     connection than NIO), else NIO
 * @param servedElsewhere addresses this process serves by other means (DNS on kube-dns's ClusterIP
 *     port 53): no listener is bound there, whatever the snapshot says
 */
public record ProxyConfig(
        ProxyMode mode,
        String nodeName,
        List<InetAddress> nodeAddresses,
        Duration tcpIdleTimeout,
        Duration udpTimeout,
        String interfaceName,
        int threads,
        int maxUdpSessions,
        boolean nativeTransport,
        List<java.net.InetSocketAddress> servedElsewhere) {

    public static final String DEFAULT_INTERFACE = "cdns0";
    public static final Duration DEFAULT_TCP_IDLE_TIMEOUT = Duration.ofHours(1);
    public static final Duration DEFAULT_UDP_TIMEOUT = Duration.ofSeconds(30);

    public ProxyConfig {
        nodeAddresses = List.copyOf(nodeAddresses);
        servedElsewhere = servedElsewhere == null ? List.of() : List.copyOf(servedElsewhere);
    }

    public ProxyConfig(ProxyMode mode, String nodeName, List<InetAddress> nodeAddresses, Duration tcpIdleTimeout,
                       Duration udpTimeout, String interfaceName, int threads, int maxUdpSessions, boolean nativeTransport) {
        this(mode, nodeName, nodeAddresses, tcpIdleTimeout, udpTimeout, interfaceName, threads, maxUdpSessions,
                nativeTransport, List.of());
    }

    public ProxyConfig withServedElsewhere(List<java.net.InetSocketAddress> addresses) {
        return new ProxyConfig(mode, nodeName, nodeAddresses, tcpIdleTimeout, udpTimeout, interfaceName, threads,
                maxUdpSessions, nativeTransport, addresses);
    }

    /** Userspace mode, NIO, every default, for node {@code nodeName}. */
    public static ProxyConfig defaults(String nodeName) {
        return new ProxyConfig(ProxyMode.USERSPACE, nodeName, List.of(), DEFAULT_TCP_IDLE_TIMEOUT,
                DEFAULT_UDP_TIMEOUT, DEFAULT_INTERFACE, 0, 65536, true);
    }

    public ProxyConfig withNodeAddresses(List<InetAddress> addresses) {
        return new ProxyConfig(mode, nodeName, addresses, tcpIdleTimeout, udpTimeout, interfaceName, threads, maxUdpSessions, nativeTransport, servedElsewhere);
    }

    public ProxyConfig withTimeouts(Duration tcpIdle, Duration udp) {
        return new ProxyConfig(mode, nodeName, nodeAddresses, tcpIdle, udp, interfaceName, threads, maxUdpSessions, nativeTransport, servedElsewhere);
    }

    public ProxyConfig withNativeTransport(boolean useNative) {
        return new ProxyConfig(mode, nodeName, nodeAddresses, tcpIdleTimeout, udpTimeout, interfaceName, threads,
                maxUdpSessions, useNative, servedElsewhere);
    }
}
