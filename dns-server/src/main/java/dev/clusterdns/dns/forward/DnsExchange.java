package dev.clusterdns.dns.forward;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Record;

/**
 * One asynchronous query/response exchange with an upstream over UDP or TCP, on Netty (never blocks
 * the caller). Each UDP exchange uses a fresh connected socket on a kernel-chosen ephemeral port and a random
 * message ID; a reply counts only if it comes from the upstream's address with our ID and our
 * question (anti-spoofing, RFC 5452), others are dropped and we keep waiting.
 */
final class DnsExchange {
    private final EventLoopGroup group;
    private final SecureRandom random = new SecureRandom();

    DnsExchange(EventLoopGroup group) {
        this.group = group;
    }

    /** Sends {@code query} (copied, with a fresh ID) and completes with the matching reply. */
    CompletableFuture<Message> send(InetSocketAddress upstream, Message query, boolean tcp, Duration timeout) {
        Message out = query.clone();
        int id;
        synchronized (random) {
            id = random.nextInt(0x10000);
        }
        out.getHeader().setID(id);
        byte[] wire = out.toWire();
        CompletableFuture<Message> result = new CompletableFuture<>();
        Record question = out.getQuestion();
        Bootstrap b = new Bootstrap().group(group);
        ReplyHandler handler = new ReplyHandler(upstream, id, question, result, tcp);
        ChannelFuture cf;
        if (tcp) {
            b.channel(NioSocketChannel.class)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeout.toMillis()))
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(65535 + 2, 0, 2, 0, 2),
                                    new LengthFieldPrepender(2), handler);
                        }
                    });
            cf = b.connect(upstream);
            cf.addListener(f -> {
                if (f.isSuccess()) {
                    cf.channel().writeAndFlush(Unpooled.wrappedBuffer(wire));
                } else {
                    result.completeExceptionally(f.cause());
                }
            });
        } else {
            b.channel(NioDatagramChannel.class)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65535))
                    .handler(handler);
            // A connected UDP socket: the kernel drops datagrams from other sources and reports ICMP
            // port-unreachable as an error, so a dead upstream fails fast instead of timing out.
            cf = b.connect(upstream);
            cf.addListener(f -> {
                if (f.isSuccess()) {
                    cf.channel().writeAndFlush(Unpooled.wrappedBuffer(wire))
                            .addListener(w -> {
                                if (!w.isSuccess()) {
                                    result.completeExceptionally(w.cause());
                                }
                            });
                } else {
                    result.completeExceptionally(f.cause());
                }
            });
        }
        Channel channel = cf.channel();
        var timer = channel.eventLoop().schedule(() -> {
            result.completeExceptionally(new TimeoutException("i/o timeout: no reply from " + upstream + " in " + timeout.toMillis() + " ms"));
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        result.whenComplete((m, e) -> {
            timer.cancel(false);
            channel.close();
        });
        return result;
    }

    /** Accepts only a reply that matches what we sent; everything else is ignored. */
    private static final class ReplyHandler extends SimpleChannelInboundHandler<Object> {
        private final InetSocketAddress upstream;
        private final int id;
        private final Record question;
        private final CompletableFuture<Message> result;
        private final boolean tcp;

        ReplyHandler(InetSocketAddress upstream, int id, Record question, CompletableFuture<Message> result, boolean tcp) {
            this.upstream = upstream;
            this.id = id;
            this.question = question;
            this.result = result;
            this.tcp = tcp;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            ByteBuf content;
            if (msg instanceof DatagramPacket packet) {
                if (!packet.sender().equals(upstream)) {
                    return;
                }
                content = packet.content();
            } else {
                content = (ByteBuf) msg;
            }
            Message reply;
            try {
                reply = new Message(ByteBufUtil.getBytes(content));
            } catch (IOException e) {
                if (tcp) {
                    result.completeExceptionally(e);
                }
                return;
            }
            if (matches(reply)) {
                result.complete(reply);
            }
        }

        private boolean matches(Message reply) {
            if (reply.getHeader().getID() != id || !reply.getHeader().getFlag(Flags.QR)) {
                return false;
            }
            Record q = reply.getQuestion();
            if (question == null) {
                return q == null;
            }
            return q != null && q.getName().equals(question.getName()) && q.getType() == question.getType()
                    && q.getDClass() == question.getDClass();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (tcp) {
                result.completeExceptionally(new IOException("connection to " + upstream + " closed before a reply"));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // ICMP port unreachable and friends: the upstream is not there.
            result.completeExceptionally(cause);
        }
    }
}
