package dev.clusterdns.proxy.udp;

import dev.clusterdns.proxy.table.Balancer;
import dev.clusterdns.proxy.table.PortMetrics;
import dev.clusterdns.proxy.table.Route;
import dev.clusterdns.proxy.transport.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Receives client datagrams on the Service socket and forwards each to its client's session. The
 * session map is touched only on this channel's event loop (sessions share it), so it needs no lock.
 */
final class UdpFrontHandler extends ChannelInboundHandlerAdapter {
    private final UdpListener listener;
    private final Transport transport;
    private final long idleMillis;
    private final int maxSessions;
    private final Map<InetSocketAddress, Session> sessions = new HashMap<>();

    UdpFrontHandler(UdpListener listener, Transport transport, Duration idleTimeout, int maxSessions) {
        this.listener = listener;
        this.transport = transport;
        this.idleMillis = idleTimeout.toMillis();
        this.maxSessions = maxSessions;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DatagramPacket packet = (DatagramPacket) msg;
        try {
            InetSocketAddress client = packet.sender();
            Session s = sessions.get(client);
            if (s != null && !listener.currentRoute().balancer().contains(s.endpoint)) {
                // Its endpoint left since the last datagram (the route swap's sweep may not have run yet).
                sessions.remove(client);
                s.connect.channel().close();
                s = null;
            }
            if (s == null) {
                s = open(ctx.channel(), client);
                if (s == null) {
                    return;
                }
            }
            s.send(packet.content().retain());
        } finally {
            packet.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    private Session open(Channel front, InetSocketAddress client) {
        Route route = listener.currentRoute();
        PortMetrics m = route.metrics();
        if (!route.allows(client.getAddress())) {
            m.rejectedSourceRange().inc();
            return null;
        }
        if (sessions.size() >= maxSessions) {
            return null;
        }
        InetSocketAddress endpoint = route.balancer().pick(client.getAddress(), false);
        if (endpoint == null) {
            m.rejectedNoEndpoints().inc();
            return null;
        }
        Bootstrap b = new Bootstrap()
                .group(front.eventLoop())
                .channel(transport.datagramChannel())
                .option(ChannelOption.ALLOCATOR, transport.allocator())
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(UdpListener.MAX_DATAGRAM))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (idleMillis > 0) {
                            ch.pipeline().addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
                        }
                        ch.pipeline().addLast(new ReplyHandler(front, client, m));
                    }
                });
        ChannelFuture connect = b.connect(endpoint);
        Session s = new Session(connect, endpoint, m);
        sessions.put(client, s);
        m.connections().inc();
        m.active().inc();
        connect.channel().closeFuture().addListener(f -> {
            m.active().dec();
            // Runs on the shared event loop, so the map stays single-threaded.
            sessions.remove(client, s);
        });
        return s;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        for (Session s : new ArrayList<>(sessions.values())) {
            s.connect.channel().close();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP errors and the like on the Service socket: nothing to do for one datagram.
    }

    /** Ends the sessions whose endpoint {@code balancer} no longer has. Runs on this channel's loop. */
    void closeSessionsOutside(Balancer balancer) {
        for (Session s : new ArrayList<>(sessions.values())) {
            if (!balancer.contains(s.endpoint)) {
                s.connect.channel().close();
            }
        }
    }

    /** One client's connected socket to its endpoint. */
    private static final class Session {
        final ChannelFuture connect;
        final InetSocketAddress endpoint;
        final PortMetrics metrics;

        Session(ChannelFuture connect, InetSocketAddress endpoint, PortMetrics metrics) {
            this.connect = connect;
            this.endpoint = endpoint;
            this.metrics = metrics;
        }

        void send(ByteBuf payload) {
            if (connect.isDone()) {
                write(payload);
            } else {
                // Listeners run in the order added, on this loop: datagrams keep their order.
                connect.addListener(f -> write(payload));
            }
        }

        private void write(ByteBuf payload) {
            Channel ch = connect.channel();
            if (!connect.isSuccess() || !ch.isActive() || !ch.isWritable()) {
                payload.release();
                return;
            }
            metrics.bytesIn().inc(payload.readableBytes());
            ch.writeAndFlush(payload, ch.voidPromise());
        }
    }

    /** Sends an endpoint's replies back to the client from the Service socket. */
    private static final class ReplyHandler extends ChannelInboundHandlerAdapter {
        private final Channel front;
        private final InetSocketAddress client;
        private final PortMetrics metrics;

        ReplyHandler(Channel front, InetSocketAddress client, PortMetrics metrics) {
            this.front = front;
            this.client = client;
            this.metrics = metrics;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf content = msg instanceof DatagramPacket p ? p.content() : (ByteBuf) msg;
            metrics.bytesOut().inc(content.readableBytes());
            if (front.isActive()) {
                front.write(new DatagramPacket(content, client), front.voidPromise());
            } else {
                content.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            front.flush();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // e.g. ICMP port unreachable from the endpoint: end the session so the next datagram picks again.
            ctx.close();
        }
    }
}
