package dev.clusterdns.dns.transport;

import dev.clusterdns.agent.net.PortHolders;
import java.net.BindException;
import java.net.InetSocketAddress;

/**
 * The error when a DNS listen address cannot be bound, naming the socket and, when it is taken,
 * who holds it: {@code DNS listen 127.0.0.1:5353/udp: address already in use (another process
 * holds it: pid 812 dnsmasq)}.
 */
final class ListenError {
    private ListenError() {}

    static BindException of(InetSocketAddress at, String protocol, Throwable cause) {
        String what = PortHolders.addressInUse(cause)
                ? "address already in use (" + PortHolders.describe(protocol, at) + ")"
                : cause.getMessage() == null ? cause.toString() : cause.getMessage();
        BindException e = new BindException("DNS listen " + PortHolders.socketName(at, protocol) + ": " + what);
        e.initCause(cause);
        return e;
    }
}
