package dev.clusterdns.proxy.table;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/** One socket the proxy binds: protocol, local address and port. */
public record ListenKey(Protocol protocol, InetAddress address, int port) {

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(address, port);
    }

    @Override
    public String toString() {
        String host = address.getHostAddress();
        return protocol + " " + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
