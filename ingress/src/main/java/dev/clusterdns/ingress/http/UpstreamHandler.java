package dev.clusterdns.ingress.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/** The end of an upstream connection's pipeline: hands what arrives to the exchange using it. */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {
    private FrontendHandler.Exchange exchange;

    void attach(FrontendHandler.Exchange e) {
        this.exchange = e;
    }

    void detach() {
        this.exchange = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (exchange == null) {
            // An idle pooled connection has nothing to say; whatever it sends makes it unusable.
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        exchange.fromUpstream(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.upstreamReadComplete();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null && ctx.channel().isWritable()) {
            exchange.upstreamWritable();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        FrontendHandler.Exchange e = exchange;
        exchange = null;
        if (e != null) {
            e.upstreamClosed(ctx.channel());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
            FrontendHandler.Exchange e = exchange;
            if (e == null) {
                ctx.close();
            } else {
                e.upstreamTimedOut(ctx.channel());
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
