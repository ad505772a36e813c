package dev.clusterdns.dns.transport;

import dev.clusterdns.dns.pipeline.QueryProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * One datagram in, at most one datagram out. One instance per socket: replies answered while a burst
 * of datagrams is being read (everything the cluster zone, zone files and the cache answer) are
 * written and flushed once at the end of the burst, so the kernel gets them in one go (sendmmsg with
 * epoll) instead of one system call each; replies completed later (forwarding) are flushed at once.
 */
final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final QueryHandler queries;
    /** True while this socket's event loop is inside a read burst (confined to that loop). */
    private boolean reading;
    private boolean unflushed;

    UdpHandler(QueryHandler queries) {
        this.queries = queries;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        reading = true;
        ByteBuf content = packet.content();
        byte[] wire = ByteBufUtil.getBytes(content);
        InetSocketAddress sender = packet.sender();
        queries.handle(wire, sender, QueryProtocol.UDP, replies -> {
            // UDP carries exactly one message; streams (AXFR) are refused over UDP by the stages.
            DatagramPacket out = new DatagramPacket(Unpooled.wrappedBuffer(replies.get(0)), sender);
            if (reading && ctx.executor().inEventLoop()) {
                ctx.write(out, ctx.voidPromise());
                unflushed = true;
            } else {
                ctx.writeAndFlush(out, ctx.voidPromise());
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
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP errors and the like on a shared socket must not close it.
    }
}
