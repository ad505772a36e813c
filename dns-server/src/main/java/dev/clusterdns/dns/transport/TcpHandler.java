package dev.clusterdns.dns.transport;

import dev.clusterdns.dns.pipeline.QueryProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * RFC 7766 on one connection: every framed query is handled as it arrives (pipelining), replies go out
 * as they complete (possibly out of order, matched by ID), an idle connection is closed. At most
 * {@link #MAX_IN_FLIGHT} queries per connection are in the pipeline at once; beyond that the
 * connection stops being read and decoded queries wait here, so one client cannot queue unbounded work
 * behind a slow upstream. All fields are confined to the channel's event loop.
 */
final class TcpHandler extends ChannelInboundHandlerAdapter implements ReplySink {
    static final int MAX_IN_FLIGHT = 128;

    private final QueryHandler queries;
    private final ArrayDeque<byte[]> waiting = new ArrayDeque<>();
    private int inFlight;
    private boolean drainScheduled;
    /** Inside a read burst (replies written now are flushed at its end). */
    private boolean reading;
    private boolean unflushed;

    /** The connection's context, set once when the handler is added. */
    private ChannelHandlerContext ctx;

    private final long idleNanos;
    /** When the last query was answered (System.nanoTime). */
    private long lastAnswered = System.nanoTime();

    TcpHandler(QueryHandler queries, long idleMillis) {
        this.queries = queries;
        this.idleNanos = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(idleMillis);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        byte[] wire;
        try {
            wire = ByteBufUtil.getBytes((ByteBuf) msg);
        } finally {
            ReferenceCountUtil.release(msg);
        }
        if (inFlight >= MAX_IN_FLIGHT) {
            waiting.add(wire);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        start(ctx, wire);
    }

    private void start(ChannelHandlerContext ctx, byte[] wire) {
        inFlight++;
        InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
        if (!queries.handle(wire, client, QueryProtocol.TCP, this)) {
            finished(ctx); // dropped without a reply
        }
    }

    @Override
    public ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    /** The framing encoder adds the length; the query counts as answered with its last message. */
    @Override
    public void send(ByteBuf message, InetSocketAddress client, boolean last) {
        ctx.write(message, ctx.voidPromise());
        if (!last) {
            return;
        }
        if (reading && ctx.executor().inEventLoop()) {
            unflushed = true; // pipelined queries answered from memory: one flush per read burst
        } else {
            ctx.flush();
        }
        finished(ctx);
    }

    /** Called when a query is answered, on any thread. */
    private void finished(ChannelHandlerContext ctx) {
        if (ctx.executor().inEventLoop()) {
            inFlight--;
            lastAnswered = System.nanoTime();
            scheduleDrain(ctx);
        } else {
            ctx.executor().execute(() -> finished(ctx));
        }
    }

    /** Starts waiting queries from a fresh task (no recursion through synchronous answers). */
    private void scheduleDrain(ChannelHandlerContext ctx) {
        if (drainScheduled || (waiting.isEmpty() && ctx.channel().config().isAutoRead())) {
            return;
        }
        drainScheduled = true;
        ctx.executor().execute(() -> {
            drainScheduled = false;
            while (inFlight < MAX_IN_FLIGHT && !waiting.isEmpty()) {
                start(ctx, waiting.poll());
            }
            if (waiting.isEmpty() && inFlight < MAX_IN_FLIGHT && !ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
            }
        });
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        reading = false;
        if (unflushed) {
            unflushed = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            // Nothing read for the idle time (the event repeats while that lasts): close only when
            // nothing is owed and the last answer is as old (RFC 7766 §6.2.3).
            if (inFlight == 0 && waiting.isEmpty() && System.nanoTime() - lastAnswered >= idleNanos) {
                ctx.close();
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // bad framing or a reset: this connection only
    }
}
