package dev.clusterdns.dns.transport;

import dev.clusterdns.dns.pipeline.QueryProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/** One datagram in, at most one datagram out. Stateless, so one instance serves every UDP socket. */
@ChannelHandler.Sharable
final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    private final QueryHandler queries;

    UdpHandler(QueryHandler queries) {
        this.queries = queries;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        ByteBuf content = packet.content();
        byte[] wire = ByteBufUtil.getBytes(content);
        InetSocketAddress sender = packet.sender();
        queries.handle(wire, sender, QueryProtocol.UDP, replies -> {
            // UDP carries exactly one message; streams (AXFR) are refused over UDP by the stages.
            ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(replies.get(0)), sender), ctx.voidPromise());
        });
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // ICMP errors and the like on a shared socket must not close it.
    }
}
