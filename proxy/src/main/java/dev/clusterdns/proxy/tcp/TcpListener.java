package dev.clusterdns.proxy.tcp;

import dev.clusterdns.proxy.table.Frontend;
import dev.clusterdns.proxy.table.ListenKey;
import dev.clusterdns.proxy.table.Route;
import dev.clusterdns.proxy.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** A TCP listener on one Service address; each accepted connection is relayed to an endpoint. */
public final class TcpListener implements Frontend {
    private final ListenKey key;
    private volatile Route route;
    private Channel server;

    private TcpListener(ListenKey key, Route route) {
        this.key = key;
        this.route = route;
    }

    /**
     * Binds {@code key} (blocking until bound) and serves {@code route}.
     *
     * @param idleTimeout a connection with no bytes either way for this long is closed
     * @throws Exception when the address cannot be bound
     */
    public static TcpListener bind(Transport transport, ListenKey key, Route route, Duration idleTimeout) throws Exception {
        TcpListener listener = new TcpListener(key, route);
        long idleMillis = idleTimeout.toMillis();
        ServerBootstrap b = new ServerBootstrap()
                .group(transport.group())
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                // TCP_NODELAY is on by default in Netty's socket configs; setting it again is one
                // more setsockopt per connection.
                .childOption(ChannelOption.ALLOCATOR, transport.allocator())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (idleMillis > 0) {
                            ch.pipeline().addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
                        }
                        ch.pipeline().addLast(new FrontendHandler(listener, transport));
                    }
                });
        listener.server = b.bind(key.socketAddress()).sync().channel();
        return listener;
    }

    Route currentRoute() {
        return route;
    }

    @Override
    public void route(Route newRoute) {
        this.route = newRoute;
    }

    public ListenKey key() {
        return key;
    }

    @Override
    public void close() {
        // Only the listening socket: accepted connections keep relaying until either side ends them.
        server.close().syncUninterruptibly();
    }
}
