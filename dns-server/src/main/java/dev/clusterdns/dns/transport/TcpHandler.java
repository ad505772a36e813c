package dev.clusterdns.dns.transport;

import dev.clusterdns.dns.pipeline.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;

/**
 * RFC 7766 on one connection: every framed query is handled as it arrives (pipelining), replies go out
 * as they complete (possibly out of order, matched by ID), an idle connection is closed.
 */
final class TcpHandler extends ChannelInboundHandlerAdapter {
    private final QueryHandler queries;

    TcpHandler(QueryHandler queries) {
        this.queries = queries;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        byte[] wire;
        try {
            wire = ByteBufUtil.getBytes((ByteBuf) msg);
        } finally {
            ReferenceCountUtil.release(msg);
        }
        InetSocketAddress client = (InetSocketAddress) ctx.channel().remoteAddress();
        queries.handle(wire, client, Transport.TCP, replies -> {
            for (byte[] r : replies) {
                ctx.write(Unpooled.wrappedBuffer(r), ctx.voidPromise());
            }
            ctx.flush();
        });
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // bad framing or a reset: this connection only
    }
}
