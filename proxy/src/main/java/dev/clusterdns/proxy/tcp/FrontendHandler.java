package dev.clusterdns.proxy.tcp;

import dev.clusterdns.proxy.table.PortMetrics;
import dev.clusterdns.proxy.table.Route;
import dev.clusterdns.proxy.transport.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * First handler of an accepted client connection: checks the source range, picks an endpoint,
 * connects (the next endpoint on failure, as kube-proxy's userspace proxier: up to four tries with
 * growing timeouts), then hands the connection to {@link Relay}. What the client sends meanwhile
 * (typically its first request) is read and held, at most 64 KB, then reading pauses until the
 * endpoint is up: the request is on its way the moment the connection is, with no extra turn of
 * the event loop and no extra {@code epoll_ctl} to start reading.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
    /** Netty's default high-water mark: what a relay would queue on its peer before pausing. */
    static final int EARLY_LIMIT = 64 * 1024;

    private final TcpListener listener;
    private final Transport transport;
    /** The loop's idle sweep; null without an idle timeout. */
    private final IdleSweep idle;
    /** The loop's connect deadlines. */
    private final ConnectTimeouts timeouts;
    private IdleSweep.Activity activity;
    private Route route;
    private InetAddress client;
    /** Bytes read before the backend is up (the client's first request, usually); null while none. */
    private List<Object> early;
    private int earlyBytes;
    private boolean inputEnded;

    FrontendHandler(TcpListener listener, Transport transport, IdleSweep idle, ConnectTimeouts timeouts) {
        this.listener = listener;
        this.transport = transport;
        this.idle = idle;
        this.timeouts = timeouts;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel inbound = ctx.channel();
        route = listener.currentRoute();
        client = ((InetSocketAddress) inbound.remoteAddress()).getAddress();
        PortMetrics m = route.metrics();
        if (!route.allows(client)) {
            m.rejectedSourceRange().inc();
            Relay.reset(inbound);
            return;
        }
        m.connections().inc();
        m.active().inc();
        IdleSweep.Activity a = idle == null ? IdleSweep.untracked()
                : idle.track(() -> inbound.pipeline().fireUserEventTriggered(IdleStateEvent.ALL_IDLE_STATE_EVENT));
        activity = a;
        inbound.closeFuture().addListener(f -> {
            m.active().dec();
            a.untrack();
        });
        connect(ctx, 0);
    }

    private void connect(ChannelHandlerContext ctx, int attempt) {
        Channel inbound = ctx.channel();
        PortMetrics m = route.metrics();
        InetSocketAddress endpoint = route.balancer().pick(client, attempt > 0);
        if (endpoint == null) {
            m.rejectedNoEndpoints().inc();
            Relay.reset(inbound);
            return;
        }
        // No Bootstrap: it would copy its option maps, and defer the connect to a task (a wakeup and
        // one more loop turn) for every connection. Registering on our own loop runs inline.
        // TCP_NODELAY is on by default in Netty's socket configs.
        SocketChannel outbound = transport.newSocketChannel(endpoint.getAddress());
        SocketChannelConfig config = outbound.config();
        // Auto-read is on by default: reads once connected (channelActive comes after connected()
        // has set up the relay).
        config.setAllowHalfClosure(true);
        config.setAllocator(transport.allocator());
        // The loop's ConnectTimeouts enforce the attempt's timeout: no timer per connect.
        config.setConnectTimeoutMillis(0);
        outbound.pipeline().addLast(new Relay(inbound, m.bytesOut(), activity));
        inbound.eventLoop().register(outbound).addListener((ChannelFuture r) -> {
            if (r.isSuccess()) {
                // Closing fails the connect (a ClosedChannelException): the listener moves on.
                ConnectTimeouts.Pending pending = timeouts.start(outbound::close, attempt);
                outbound.connect(endpoint).addListener((ChannelFuture f) -> {
                    pending.done();
                    connected(ctx, attempt, f);
                });
            } else {
                outbound.close();
                connected(ctx, attempt, r);
            }
        });
    }

    private void connected(ChannelHandlerContext ctx, int attempt, ChannelFuture f) {
        Channel inbound = ctx.channel();
        Channel outbound = f.channel();
        PortMetrics m = route.metrics();
        if (!f.isSuccess()) {
            outbound.close();
            m.connectFailures().inc();
            if (!inbound.isActive()) {
                return;
            }
            if (ConnectTimeouts.anotherAttempt(attempt, route.balancer().size())) {
                connect(ctx, attempt + 1);
            } else {
                m.rejectedNoEndpoints().inc();
                Relay.reset(inbound);
            }
            return;
        }
        if (!inbound.isActive()) {
            outbound.close();
            return;
        }
        Relay relay = new Relay(outbound, m.bytesIn(), activity);
        // Taken before the replace (handlerRemoved releases what is left).
        List<Object> pending = early;
        early = null;
        ctx.pipeline().replace(this, "relay", relay);
        if (pending != null) {
            for (Object msg : pending) {
                relay.forward(inbound, msg);
            }
            outbound.flush();
        }
        if (inputEnded) {
            relay.inputEnded(inbound);
        } else if (outbound.isWritable()) {
            Relay.resumeReading(inbound);
        }
        Relay.resumeReading(outbound);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (activity != null) {
            activity.mark();
        }
        if (early == null) {
            early = new ArrayList<>(2);
        }
        early.add(msg);
        if (msg instanceof ByteBuf buf && (earlyBytes += buf.readableBytes()) >= EARLY_LIMIT) {
            // Hold at most this much per connection while connecting; the rest waits in the kernel.
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (early != null) {
            early.forEach(ReferenceCountUtil::release);
            early = null;
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputEnded = true;
            return;
        }
        if (evt instanceof IdleStateEvent) {
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
