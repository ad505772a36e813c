package dev.clusterdns.proxy.udp;

import dev.clusterdns.proxy.table.Frontend;
import dev.clusterdns.proxy.table.ListenKey;
import dev.clusterdns.proxy.table.Route;
import dev.clusterdns.proxy.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import java.time.Duration;

/**
 * A UDP socket on one Service address. Each client address gets a session: a connected socket to
 * one endpoint, kept while datagrams flow either way and closed after the idle timeout. Replies go
 * out of this socket, so clients see them come from the Service address.
 */
public final class UdpListener implements Frontend {
    /** Largest UDP payload; the receive buffer must hold any datagram whole. */
    static final int MAX_DATAGRAM = 65535;

    private final ListenKey key;
    private volatile Route route;
    private Channel channel;
    private UdpFrontHandler handler;

    private UdpListener(ListenKey key, Route route) {
        this.key = key;
        this.route = route;
    }

    /**
     * Binds {@code key} (blocking until bound) and serves {@code route}.
     *
     * @param idleTimeout a session with no datagram either way for this long is closed
     * @param maxSessions sessions beyond this many are not opened (their datagrams are dropped)
     */
    public static UdpListener bind(Transport transport, ListenKey key, Route route, Duration idleTimeout,
            int maxSessions) throws Exception {
        UdpListener listener = new UdpListener(key, route);
        Bootstrap b = new Bootstrap()
                .group(transport.group())
                .channel(transport.datagramChannel())
                .option(ChannelOption.ALLOCATOR, transport.allocator())
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        listener.handler = new UdpFrontHandler(listener, transport, idleTimeout, maxSessions);
                        ch.pipeline().addLast(listener.handler);
                    }
                });
        listener.channel = b.bind(key.socketAddress()).sync().channel();
        return listener;
    }

    Route currentRoute() {
        return route;
    }

    /**
     * Installs the new route and ends the sessions whose endpoint is gone, as kube-proxy clears the
     * conntrack entries of removed UDP endpoints: UDP has no end of connection to wait for.
     */
    @Override
    public void route(Route newRoute) {
        this.route = newRoute;
        UdpFrontHandler h = handler;
        if (h != null) {
            channel.eventLoop().execute(() -> h.closeSessionsOutside(newRoute.balancer()));
        }
    }

    public ListenKey key() {
        return key;
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
