package dev.clusterdns.dns.transport;

import dev.clusterdns.dns.pipeline.QueryProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/**
 * One datagram in, at most one datagram out. One instance per socket, and it is the queries'
 * {@link ReplySink} itself (nothing allocated per query to hand a reply over): replies answered while
 * a burst of datagrams is being read (everything the cluster zone, zone files and the cache answer)
 * are written and flushed once at the end of the burst, so the kernel gets them in one go (sendmmsg
 * with epoll) instead of one system call each; replies completed later (forwarding) are flushed at once.
 */
final class UdpHandler extends SimpleChannelInboundHandler<DatagramPacket> implements ReplySink {
    private final QueryHandler queries;
    /** The socket's context, set once when the handler is added. */
    private ChannelHandlerContext ctx;
    /** True while this socket's event loop is inside a read burst (confined to that loop). */
    private boolean reading;
    private boolean unflushed;

    UdpHandler(QueryHandler queries) {
        this.queries = queries;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
        reading = true;
        // The datagram's buffer goes back to the pool when this returns; a query that is answered
        // later (forwarding) keeps its bytes, hence the copy.
        byte[] wire = ByteBufUtil.getBytes(packet.content());
        queries.handle(wire, packet.sender(), QueryProtocol.UDP, this);
    }

    @Override
    public ByteBufAllocator alloc() {
        return ctx.alloc();
    }

    @Override
    public void send(ByteBuf message, InetSocketAddress client, boolean last) {
        // UDP carries exactly one message; streams (AXFR) are refused over UDP by the stages.
        DatagramPacket out = new DatagramPacket(message, client);
        if (reading && ctx.executor().inEventLoop()) {
            ctx.write(out, ctx.voidPromise());
            unflushed = true;
        } else {
            ctx.writeAndFlush(out, ctx.voidPromise());
        }
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
