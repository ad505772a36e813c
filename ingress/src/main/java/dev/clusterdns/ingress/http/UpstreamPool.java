package dev.clusterdns.ingress.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Kept-alive HTTP/1.1 connections to endpoints, for one event loop; used only from that loop.
 * Idle connections are read from so that a close by the endpoint is noticed, and are closed after
 * the upstream timeout without a request (as nginx's upstream keepalive_timeout does).
 */
final class UpstreamPool {
    static final String CODEC = "codec";
    static final String IDLE = "idle";
    static final String HANDLER = "upstream";
    // ingress-nginx keeps 320 idle upstream connections (upstream-keepalive-connections); an HTTP/2 client
    // with many concurrent streams needs as many, or they are closed and reopened every round.
    private static final int MAX_IDLE_PER_ENDPOINT = 320;

    private final Bootstrap bootstrap;
    private final Map<InetSocketAddress, ArrayDeque<Channel>> idle = new HashMap<>();

    UpstreamPool(EventLoop loop, Duration connectTimeout, Duration upstreamTimeout) {
        long timeoutMs = upstreamTimeout.toMillis();
        this.bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(CODEC, new HttpClientCodec())
                                // Idle both ways: a long upload is not a silent endpoint.
                                .addLast(IDLE, new IdleStateHandler(0, 0, timeoutMs, TimeUnit.MILLISECONDS))
                                .addLast(HANDLER, new UpstreamHandler());
                    }
                });
    }

    /** A live idle connection to this endpoint, or null. */
    Channel poll(InetSocketAddress endpoint) {
        ArrayDeque<Channel> q = idle.get(endpoint);
        while (q != null && !q.isEmpty()) {
            Channel ch = q.pollLast();
            if (ch.isActive()) {
                return ch;
            }
        }
        return null;
    }

    ChannelFuture connect(InetSocketAddress endpoint) {
        return bootstrap.connect(endpoint);
    }

    /** Back into the pool after a complete exchange. */
    void release(InetSocketAddress endpoint, Channel ch) {
        UpstreamHandler h = ch.pipeline().get(UpstreamHandler.class);
        if (h == null || !ch.isActive()) {
            ch.close();
            return;
        }
        h.detach();
        ArrayDeque<Channel> q = idle.computeIfAbsent(endpoint, e -> new ArrayDeque<>());
        if (q.size() >= MAX_IDLE_PER_ENDPOINT) {
            ch.close();
            return;
        }
        q.addLast(ch);
        ch.closeFuture().addListener(f -> q.remove(ch));
        ch.read(); // notice the endpoint closing it
    }

    void close() {
        List<Channel> all = new ArrayList<>();
        idle.values().forEach(all::addAll);
        all.forEach(Channel::close);
    }
}
