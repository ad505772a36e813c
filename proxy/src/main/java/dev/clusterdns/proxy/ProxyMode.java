package dev.clusterdns.proxy;

/** How Service addresses become local. */
public enum ProxyMode {
    /** Bind only what is already local (127.0.0.0/8 covers the default service CIDR). */
    USERSPACE,
    /** Also put non-loopback ClusterIPs and LoadBalancer IPs on a dummy interface (root). */
    INTERFACE
}
