package dev.clusterdns.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.handler.timeout.IdleStateEvent;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.io.IOException;

/**
 * Copies bytes from this channel to {@code peer}. Backpressure is writability-driven: auto-read goes
 * off as soon as the peer's queue passes its high-water mark and back on when the peer's handler
 * sees it drain, so at most one read batch plus the high-water mark is held per direction.
 * A FIN is passed on as a FIN (half-close); the connection closes once both directions have ended.
 */
final class Relay extends ChannelInboundHandlerAdapter {
    private final Channel peer;
    private final CounterDataPoint bytes;
    /** The connection's idle mark, shared by both directions. */
    private final IdleSweep.Activity activity;

    Relay(Channel peer, CounterDataPoint bytes, IdleSweep.Activity activity) {
        this.peer = peer;
        this.bytes = bytes;
        this.activity = activity;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        forward(ctx.channel(), msg);
    }

    /** Queues {@code msg} (read from {@code self}) on the peer, pausing {@code self} when the peer is full. */
    void forward(Channel self, Object msg) {
        if (msg instanceof ByteBuf buf) {
            bytes.inc(buf.readableBytes());
        }
        peer.write(msg, peer.voidPromise());
        if (!peer.isWritable()) {
            // The peer's queue passed its high-water mark: stop reading until it drains.
            self.config().setAutoRead(false);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        activity.mark();
        peer.flush();
        Channel self = ctx.channel();
        if (!((SocketChannelConfig) self.config()).isAllowHalfClosure()
                && self.unsafe().recvBufAllocHandle().lastBytesRead() < 0) {
            // This batch ended with the FIN of a socket whose own FIN we already sent (inputEnded
            // turned half-closure off then): both directions are over. Netty would close it right
            // after this event; closing here saves it the wait.
            self.close();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // We are the peer's destination: once we drain (below the low-water mark), let it read again.
        if (ctx.channel().isWritable()) {
            resumeReading(peer);
        }
        ctx.fireChannelWritabilityChanged();
    }

    /** Turns auto-read back on, unless the channel is gone or has already seen FIN. */
    static void resumeReading(Channel ch) {
        // Checked first: usually already on, and setting it is an atomic update through a field
        // updater (with a class check per call, as the config is a subclass).
        if (!ch.config().isAutoRead() && ch.isActive() && !((DuplexChannel) ch).isInputShutdown()) {
            ch.config().setAutoRead(true);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputEnded(ctx.channel());
            return;
        }
        if (evt instanceof IdleStateEvent) {
            closeBoth(ctx.channel());
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    /**
     * Our side sent FIN: pass it on once everything already read has been written (a shutdown would
     * fail queued writes). A channel is closed once both of its directions have ended, never with
     * writes still queued.
     */
    void inputEnded(Channel self) {
        if (drained(peer)) {
            // Nothing queued (the usual case: every read batch is flushed as it ends): no empty
            // write, promise and listener to wait for what is already done.
            finAfterFlush(self);
            return;
        }
        peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
            if (!f.isSuccess()) {
                peer.close();
                closeOnFlush(self);
                return;
            }
            finAfterFlush(self);
        });
    }

    /** {@link #inputEnded}, once everything written to the peer has left for its socket. */
    private void finAfterFlush(Channel self) {
        DuplexChannel other = (DuplexChannel) peer;
        if (other.isInputShutdown()) {
            // The peer already sent its FIN: both of its directions are done, and a close sends
            // ours. Skips a shutdown call (and the exception Netty builds for every one).
            peer.close();
            if (((DuplexChannel) self).isOutputShutdown()) {
                self.close();
            }
            return;
        }
        // Everything for the peer is written, and our FIN goes out now: from here on the
        // peer's own FIN ends the connection, so Netty closes the socket instead of shutting
        // its input down first (a system call that fails with ENOTCONN on a socket whose FINs
        // have both been exchanged, and Netty throws an exception with a stack trace for it).
        // channelInactive passes it on as before.
        peer.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
        other.shutdownOutput().addListener(s -> {
            if (!s.isSuccess()) {
                // The peer died since its last event (a reset, typically: the kernel refuses the
                // shutdown then). Passed on as a reset, as when its read reports one.
                peer.close();
                reset(self);
                return;
            }
            if (other.isInputShutdown()) {
                peer.close();
            }
            if (((DuplexChannel) self).isOutputShutdown()) {
                self.close();
            }
        });
    }

    /**
     * Whether everything written to {@code ch} has left for its socket: nothing queued, flushed or
     * not (every entry counts its overhead in the pending bytes, even an empty buffer's), and the
     * channel active, so an empty write would complete at once.
     */
    private static boolean drained(Channel ch) {
        ChannelOutboundBuffer out = ch.unsafe().outboundBuffer();
        return out != null && ch.isActive() && out.isEmpty() && out.totalPendingWriteBytes() == 0;
    }

    private void closeBoth(Channel self) {
        self.close();
        closeOnFlush(peer);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeOnFlush(peer);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
        if (cause instanceof IOException) {
            // A reset on one side becomes a reset on the other, so the client sees what the endpoint did.
            reset(peer);
        } else {
            closeOnFlush(peer);
        }
    }

    static void closeOnFlush(Channel ch) {
        if (drained(ch)) {
            ch.close();
        } else if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** Closes with SO_LINGER 0, so the other side gets an RST at once rather than a FIN. */
    static void reset(Channel ch) {
        if (ch.isOpen()) {
            try {
                ch.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException ignored) {
                // already closing; a plain close is fine
            }
            ch.close();
        }
    }
}
