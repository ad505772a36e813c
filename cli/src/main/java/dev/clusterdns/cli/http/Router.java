package dev.clusterdns.cli.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns each whole request into an {@link Exchange} for the handler its exact path names. */
final class Router extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    private final HttpEndpoint endpoint;
    private final HttpLimits limits;

    Router(HttpEndpoint endpoint, HttpLimits limits) {
        this.endpoint = endpoint;
        this.limits = limits;
    }

    /**
     * Marks the connection as waiting for a request and, if none arrives whole in time, answers 408
     * (part of one came) or just closes it (an idle kept-alive connection, as HTTP servers do).
     */
    static void awaitRequest(Channel ch, HttpLimits limits) {
        long since = System.nanoTime();
        ch.attr(HttpEndpoint.STARTED).set(null);
        ch.attr(HttpEndpoint.AWAITING_SINCE).set(since);
        ch.eventLoop().schedule(() -> {
            Long now = ch.attr(HttpEndpoint.AWAITING_SINCE).get();
            if (now != null && now == since && ch.isActive()) {
                if (ch.attr(HttpEndpoint.STARTED).get() != null) {
                    sendError(ch, HttpResponseStatus.REQUEST_TIMEOUT, "no complete request within "
                            + limits.requestTimeout().toSeconds() + "s");
                } else {
                    ch.close();
                }
            }
        }, limits.requestTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof HttpObject http) {
                handle(ctx.channel(), http);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void handle(Channel ch, HttpObject msg) {
        ch.attr(HttpEndpoint.AWAITING_SINCE).set(null);
        DecoderResult result = msg.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            if (cause instanceof TooLongHttpHeaderException) {
                sendError(ch, HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                        "request headers exceed " + limits.maxHeaderBytes() + " bytes");
            } else if (cause instanceof TooLongHttpLineException) {
                sendError(ch, HttpResponseStatus.REQUEST_URI_TOO_LONG,
                        "request line exceeds " + limits.maxInitialLineBytes() + " bytes");
            } else {
                sendError(ch, HttpResponseStatus.BAD_REQUEST, "malformed request: " + cause.getMessage());
            }
            return;
        }
        if (!(msg instanceof FullHttpRequest req)) {
            return;
        }
        RequestPath target;
        try {
            target = RequestPath.parse(req.uri());
        } catch (IllegalArgumentException e) {
            sendError(ch, HttpResponseStatus.BAD_REQUEST, e.getMessage());
            return;
        }
        Exchange ex = new Exchange(ch, req, target, () -> awaitRequest(ch, limits));
        HttpEndpoint.Handler handler = endpoint.handlerFor(target.path());
        if (handler == null) {
            ex.reply(404, "text/plain; charset=utf-8", "404 page not found\n");
            return;
        }
        try {
            handler.handle(ex);
        } catch (Exception | Error e) {
            LOG.warn("HTTP {} {} failed", req.method(), target.path(), e);
            if (!ex.answered()) {
                ex.reply(500, "text/plain; charset=utf-8", "internal error: " + e + "\n");
            }
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && ctx.channel().attr(HttpEndpoint.STREAMING).get() == null) {
            ctx.close();
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Resets and broken pipes are the client's business; nothing to answer.
        ctx.close();
    }

    /**
     * Answers with a plain-text error and closes: after a protocol error the stream cannot be trusted.
     * The close lingers (output shut, input read and dropped for up to two seconds) so a client still
     * sending an oversized request reads the answer instead of a connection reset.
     */
    private static void sendError(Channel ch, HttpResponseStatus status, String message) {
        FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(status.code() + " " + status.reasonPhrase() + ": " + message + "\n",
                        StandardCharsets.UTF_8));
        resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        resp.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        HttpUtil.setContentLength(resp, resp.content().readableBytes());
        ch.writeAndFlush(resp).addListener((ChannelFutureListener) f -> {
            if (ch instanceof SocketChannel socket && f.isSuccess()) {
                socket.shutdownOutput();
                ch.eventLoop().schedule(() -> ch.close(), 2, TimeUnit.SECONDS);
            } else {
                ch.close();
            }
        });
    }
}
