package dev.clusterdns.ingress.http;

import dev.clusterdns.ingress.route.RouteTable;
import dev.clusterdns.ingress.route.Upstream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection (HTTP/1.1) or one HTTP/2 stream, as HTTP objects. Requests are handled one
 * at a time: the head is routed, an upstream connection taken from the pool (or connected, walking
 * the endpoints from the round-robin position on failure), and the body and then the response are
 * streamed through, each side read only while the other can take more. Reads are explicit (auto
 * read is off), which is what gives the backpressure.
 */
final class FrontendHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(FrontendHandler.class);
    static final String CODEC = "codec";
    static final String CONTINUE = "continue";

    private final ProxyContext context;
    private final boolean https;
    private final boolean http2;
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private Exchange exchange;
    private boolean started;
    private boolean closing;

    FrontendHandler(ProxyContext context, boolean https, boolean http2) {
        this.context = context;
        this.https = https;
        this.http2 = http2;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            started = true;
            ctx.read();
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (!started) {
            started = true;
            ctx.read();
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof FullHttpRequest full) {
            // HTTP/2 gives a body-less request in one piece: split it so every request looks alike.
            pending.add(new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers()));
            pending.add(new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
        } else {
            pending.add(msg);
        }
        drain();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && exchange != null && exchange.upstream != null) {
            exchange.upstream.read();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closing = true;
        pending.forEach(ReferenceCountUtil::release);
        pending.clear();
        if (exchange != null) {
            exchange.abort();
            exchange = null;
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof io.netty.handler.timeout.IdleStateEvent) {
            if (exchange == null && pending.isEmpty()) {
                ctx.close(); // idle between requests
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.debug("client connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    /** Handles what has arrived as far as the current exchange allows, then asks for more if it can. */
    private void drain() {
        while (!closing && !pending.isEmpty()) {
            Object m = pending.peek();
            if (exchange == null) {
                pending.poll();
                if (m instanceof HttpRequest req) {
                    begin(req);
                } else {
                    ReferenceCountUtil.release(m);
                }
                continue;
            }
            if (exchange.requestDone) {
                break; // a pipelined request waits for the current response
            }
            if (!exchange.canTakeBody()) {
                break; // not connected yet
            }
            pending.poll();
            if (m instanceof HttpContent c) {
                exchange.body(c);
            } else {
                ReferenceCountUtil.release(m);
            }
        }
        readMore();
    }

    private void readMore() {
        if (closing || !pending.isEmpty() || !ctx.channel().isActive()) {
            return;
        }
        if (exchange == null) {
            ctx.read();
        } else if (!exchange.requestDone && exchange.canTakeBody()
                && (exchange.upstream == null || exchange.upstream.isWritable())) {
            ctx.read();
        }
    }

    private void begin(HttpRequest req) {
        Exchange ex = new Exchange(req);
        exchange = ex;
        if (req.decoderResult().isFailure()) {
            ex.local(Responses.error(HttpResponseStatus.BAD_REQUEST, false), true);
            return;
        }
        RouteTable table = context.routes();
        if (!https && context.httpsPort() > 0 && table.hasTls(ex.host)) {
            String host = RouteTable.hostOf(ex.host);
            String port = context.httpsPort() == 443 ? "" : ":" + context.httpsPort();
            ex.local(Responses.redirect("https://" + host + port + req.uri(), ex.head), false);
            return;
        }
        Upstream u = table.route(ex.host, pathOf(req.uri()));
        ex.route = u;
        if (u == null) {
            ex.local(Responses.error(HttpResponseStatus.NOT_FOUND, ex.head), false);
        } else if (u.endpoints().isEmpty()) {
            LOG.debug("503 for {}{}: {}", ex.host, req.uri(), u.unavailable());
            ex.local(Responses.error(HttpResponseStatus.SERVICE_UNAVAILABLE, ex.head), false);
        } else {
            ex.outbound = upstreamRequest(req, ex);
            ex.connect(u.firstIndex(), 0);
        }
    }

    /** The request as the endpoint gets it: HTTP/1.1, hop-by-hop fields dropped, X-Forwarded-* added. */
    private HttpRequest upstreamRequest(HttpRequest req, Exchange ex) {
        HttpHeaders h = req.headers().copy();
        boolean chunked = HttpUtil.isTransferEncodingChunked(req);
        String upgrade = h.get(HttpHeaderNames.UPGRADE);
        List<String> connection = HopByHop.strip(h);
        for (String name : List.copyOf(h.names())) {
            if (name.toLowerCase(Locale.ROOT).startsWith("x-http2-")) {
                h.remove(name); // added by Netty's HTTP/2 to HTTP/1 conversion
            }
        }
        if (!HttpUtil.isContentLengthSet(req) && (chunked || http2)) {
            // A body of unknown length (HTTP/1.1 chunked, or HTTP/2 DATA frames) goes chunked.
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        if (!http2 && upgrade != null && connection.contains("upgrade")) {
            ex.upgradeRequested = true;
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
            h.set(HttpHeaderNames.UPGRADE, upgrade);
        }
        String client = clientIp();
        String xff = h.get("x-forwarded-for");
        h.set("x-forwarded-for", xff == null || xff.isBlank() ? client : xff + ", " + client);
        h.set("x-real-ip", client);
        h.set("x-forwarded-proto", https ? "https" : "http");
        if (ex.host != null) {
            h.set("x-forwarded-host", ex.host);
        }
        h.set("x-forwarded-port", String.valueOf(localPort()));
        return new DefaultHttpRequest(HttpVersion.HTTP_1_1, req.method(), req.uri(), h);
    }

    private Channel connection() {
        Channel ch = ctx.channel();
        return http2 && ch.parent() != null ? ch.parent() : ch;
    }

    private String clientIp() {
        SocketAddress a = connection().remoteAddress();
        return a instanceof InetSocketAddress i ? i.getAddress().getHostAddress() : String.valueOf(a);
    }

    private int localPort() {
        SocketAddress a = connection().localAddress();
        return a instanceof InetSocketAddress i ? i.getPort() : 0;
    }

    /** The path part of a request target (origin or absolute form), without query or fragment. */
    static String pathOf(String uri) {
        String u = uri;
        if (u.startsWith("http://") || u.startsWith("https://")) {
            int slash = u.indexOf('/', u.indexOf("//") + 2);
            u = slash < 0 ? "/" : u.substring(slash);
        }
        int end = u.length();
        int q = u.indexOf('?');
        if (q >= 0) {
            end = q;
        }
        int f = u.indexOf('#');
        if (f >= 0 && f < end) {
            end = f;
        }
        return end == 0 ? "/" : u.substring(0, end);
    }

    /** One request and its response, from the request head to the end of both. */
    final class Exchange {
        final HttpRequest request;
        final String host;
        final boolean head;
        final boolean keepAlive;
        final long startNanos = System.nanoTime();
        Upstream route;
        HttpRequest outbound;
        Channel upstream;
        InetSocketAddress endpoint;
        UpstreamPool pool;
        boolean upgradeRequested;
        boolean local;
        boolean requestDone;
        boolean responseStarted;
        boolean responseDone;
        boolean upstreamKeepAlive;
        boolean reused;
        boolean retried;
        boolean bodySent;
        boolean closeAfter;
        int status;
        long bytesOut;

        Exchange(HttpRequest request) {
            this.request = request;
            this.host = request.headers().get(HttpHeaderNames.HOST);
            this.head = HttpMethod.HEAD.equals(request.method());
            this.keepAlive = http2 || HttpUtil.isKeepAlive(request);
        }

        /** Body content can be handled now: forwarded (connected) or discarded (answered locally). */
        boolean canTakeBody() {
            return local || upstream != null;
        }

        /** Answers from the controller itself; the request body, if any, is read and dropped. */
        void local(FullHttpResponse response, boolean close) {
            local = true;
            closeAfter |= close;
            status = response.status().code();
            bytesOut = response.content().readableBytes();
            responseStarted = true;
            if (!http2) {
                HttpUtil.setKeepAlive(response, keepAlive && !closeAfter);
            }
            if (closeAfter) {
                requestDone = true;
            }
            ctx.writeAndFlush(response).addListener(f -> {
                responseDone = true;
                finishIfDone();
            });
        }

        void connect(int index, int tries) {
            List<InetSocketAddress> eps = route.endpoints();
            InetSocketAddress ep = eps.get(index % eps.size());
            pool = context.pool(ctx.channel().eventLoop());
            Channel idle = pool.poll(ep);
            if (idle != null) {
                attach(idle, ep, true);
                return;
            }
            pool.connect(ep).addListener(f -> {
                if (exchange != this || closing) {
                    if (f.isSuccess()) {
                        ((io.netty.channel.ChannelFuture) f).channel().close();
                    }
                    return;
                }
                if (f.isSuccess()) {
                    attach(((io.netty.channel.ChannelFuture) f).channel(), ep, false);
                    return;
                }
                context.metrics().connectError(route.namespace(), route.service());
                LOG.debug("connect to {} for {}: {}", ep, route.describe(), f.cause().toString());
                if (tries + 1 < eps.size()) {
                    connect(index + 1, tries + 1);
                } else {
                    boolean timeout = f.cause() instanceof ConnectTimeoutException;
                    failBeforeResponse(timeout ? HttpResponseStatus.GATEWAY_TIMEOUT : HttpResponseStatus.BAD_GATEWAY);
                }
            });
        }

        private void attach(Channel ch, InetSocketAddress ep, boolean wasPooled) {
            upstream = ch;
            endpoint = ep;
            reused = wasPooled;
            ch.pipeline().get(UpstreamHandler.class).attach(this);
            ch.write(new DefaultHttpRequest(outbound.protocolVersion(), outbound.method(), outbound.uri(),
                    outbound.headers().copy()));
            if (requestDone) {
                // A retry after the body-less request already ended.
                ch.write(LastHttpContent.EMPTY_LAST_CONTENT);
            }
            ch.flush();
            ch.read();
            drain();
        }

        void body(HttpContent c) {
            boolean last = c instanceof LastHttpContent;
            if (local || upstream == null) {
                c.release();
            } else {
                if (c.content().isReadable()) {
                    bodySent = true;
                }
                upstream.writeAndFlush(c);
            }
            if (last) {
                requestDone = true;
                finishIfDone();
            }
        }

        /** The end of one read from the endpoint: what it brought goes out to the client. */
        void upstreamReadComplete() {
            if (exchange == this) {
                ctx.flush();
            }
        }

        void upstreamWritable() {
            readMore();
        }

        void fromUpstream(Object msg) {
            if (exchange != this || local) {
                ReferenceCountUtil.release(msg);
                return;
            }
            if (msg instanceof HttpResponse resp) {
                int code = resp.status().code();
                if (code >= 100 && code < 200 && code != 101) {
                    ReferenceCountUtil.release(msg); // interim (e.g. 103): not passed on
                    upstream.read();
                    return;
                }
                responseStarted = true;
                status = code;
                upstreamKeepAlive = HttpUtil.isKeepAlive(resp);
                boolean switching = code == 101 && upgradeRequested;
                HttpHeaders h = resp.headers();
                String upgrade = h.get(HttpHeaderNames.UPGRADE);
                HopByHop.strip(h);
                if (switching) {
                    h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE);
                    if (upgrade != null) {
                        h.set(HttpHeaderNames.UPGRADE, upgrade);
                    }
                } else if (!http2) {
                    boolean bodyAllowed = Responses.mayHaveBody(code, head);
                    if (bodyAllowed && !HttpUtil.isContentLengthSet(resp)) {
                        if (request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
                            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
                        } else {
                            closeAfter = true; // HTTP/1.0: the body ends with the connection
                        }
                    }
                    HttpUtil.setKeepAlive(resp, keepAlive && !closeAfter);
                    resp.setProtocolVersion(request.protocolVersion().equals(HttpVersion.HTTP_1_0)
                            ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1);
                }
                if (switching) {
                    upgradeRequested = true;
                    status = 101;
                } else {
                    upgradeRequested = false;
                }
            }
            if (msg instanceof HttpContent c) {
                bytesOut += c.content().readableBytes();
            }
            boolean last = msg instanceof LastHttpContent;
            if (!(msg instanceof HttpResponse) && !(msg instanceof HttpContent)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            // Written now, flushed when this read from the endpoint is done (upstreamReadComplete) or
            // at the end: a small response leaves in one write (one TLS record, one HTTP/2 flush).
            ctx.write(msg);
            if (!last) {
                if (ctx.channel().isWritable()) {
                    upstream.read();
                }
                return;
            }
            ctx.flush();
            responseDone = true;
            if (status == 101 && upgradeRequested) {
                tunnel();
                return;
            }
            if (!requestDone) {
                // The endpoint answered before the body ended: drop the rest, and this connection.
                local = true;
                upstreamKeepAlive = false;
                readMore();
            }
            finishIfDone();
        }

        /** After `101 Switching Protocols`: both connections become a byte tunnel. */
        private void tunnel() {
            Channel up = upstream;
            Channel client = ctx.channel();
            up.pipeline().get(UpstreamHandler.class).detach();
            record(101);
            exchange = null;
            closing = true;
            ChannelPipeline cp = client.pipeline();
            ChannelPipeline upp = up.pipeline();
            upp.remove(UpstreamPool.IDLE);
            upp.replace(UpstreamPool.HANDLER, "tunnel", new TunnelHandler(client));
            upp.remove(UpstreamPool.CODEC);
            if (cp.get(CONTINUE) != null) {
                cp.remove(CONTINUE);
            }
            cp.replace(FrontendHandler.this, "tunnel", new TunnelHandler(up));
            cp.remove(CODEC);
            for (Object m : pending) {
                if (m instanceof ByteBufHolder || m instanceof ByteBuf) {
                    up.write(m);
                } else {
                    ReferenceCountUtil.release(m);
                }
            }
            pending.clear();
            up.flush();
            up.read();
            client.read();
        }

        void upstreamClosed(Channel ch) {
            if (exchange != this || ch != upstream) {
                return;
            }
            if (!responseStarted) {
                if (reused && !bodySent && !retried) {
                    // A pooled connection the endpoint had just closed: once more on a new one.
                    retried = true;
                    upstream = null;
                    InetSocketAddress ep = endpoint;
                    pool.connect(ep).addListener(f -> {
                        if (exchange != this || closing) {
                            if (f.isSuccess()) {
                                ((io.netty.channel.ChannelFuture) f).channel().close();
                            }
                        } else if (f.isSuccess()) {
                            attach(((io.netty.channel.ChannelFuture) f).channel(), ep, false);
                        } else {
                            context.metrics().connectError(route.namespace(), route.service());
                            failBeforeResponse(HttpResponseStatus.BAD_GATEWAY);
                        }
                    });
                    return;
                }
                upstream = null;
                failBeforeResponse(HttpResponseStatus.BAD_GATEWAY);
            } else if (!responseDone) {
                // Cut short mid-response: the client must see the connection (or stream) end too.
                record(status);
                exchange = null;
                ctx.close();
            }
        }

        void upstreamTimedOut(Channel ch) {
            if (exchange != this || ch != upstream) {
                return;
            }
            upstream = null;
            ch.pipeline().get(UpstreamHandler.class).detach();
            ch.close();
            if (!responseStarted) {
                failBeforeResponse(HttpResponseStatus.GATEWAY_TIMEOUT);
            } else {
                record(status);
                exchange = null;
                ctx.close();
            }
        }

        private void failBeforeResponse(HttpResponseStatus s) {
            if (upstream != null) {
                upstream.pipeline().get(UpstreamHandler.class).detach();
                upstream.close();
                upstream = null;
            }
            local(Responses.error(s, head), false);
            drain();
        }

        /** The client went away: nothing of this exchange is kept. */
        void abort() {
            if (upstream != null) {
                UpstreamHandler h = upstream.pipeline().get(UpstreamHandler.class);
                if (h != null) {
                    h.detach();
                }
                upstream.close();
                upstream = null;
            }
        }

        private void finishIfDone() {
            if (!requestDone || !responseDone || exchange != this) {
                return;
            }
            record(status);
            exchange = null;
            if (upstream != null) {
                if (upstreamKeepAlive && !local) {
                    pool.release(endpoint, upstream);
                } else {
                    upstream.pipeline().get(UpstreamHandler.class).detach();
                    upstream.close();
                }
                upstream = null;
            }
            if (!keepAlive || closeAfter) {
                closing = true;
                ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            drain();
        }

        private void record(int code) {
            long nanos = System.nanoTime() - startNanos;
            String ns = route == null ? "" : route.namespace();
            String ing = route == null ? "" : route.ingress();
            String svc = route == null || route.service() == null ? "" : route.service();
            context.metrics().request(ns, ing, svc, code, nanos);
            AccessLog log = context.accessLog();
            if (log.enabled()) {
                String proto = http2 ? "HTTP/2.0" : request.protocolVersion().text();
                log.log(clientIp(), request.method().name(), request.uri(), proto, code, bytesOut,
                        request.headers().get(HttpHeaderNames.REFERER), request.headers().get(HttpHeaderNames.USER_AGENT),
                        nanos, endpoint == null ? null : endpoint.getAddress().getHostAddress() + ":" + endpoint.getPort(),
                        route == null ? "-" : "[" + ns + "-" + ing + "-" + svc + "-" + route.port() + "]");
            }
        }
    }
}
