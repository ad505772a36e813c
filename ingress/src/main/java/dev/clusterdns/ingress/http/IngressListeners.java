package dev.clusterdns.ingress.http;

import dev.clusterdns.ingress.route.RouteTable;
import dev.clusterdns.ingress.tls.Certificates;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.Mapping;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ingress controller's sockets: plain HTTP/1.1 listeners, and TLS listeners that pick the
 * certificate by SNI and speak HTTP/2 or HTTP/1.1 as ALPN agrees. Routes and certificates are read
 * per request and per handshake from the suppliers, so a new table applies to the next request on
 * an established connection without dropping it.
 */
public final class IngressListeners implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IngressListeners.class);

    static final int CLIENT_KEEPALIVE_SECONDS = 75;

    private final EventLoopGroup group;
    private final ProxyContext context;
    private final List<Channel> bound = new ArrayList<>();

    /**
     * @param httpsPort where plain requests for TLS hosts are redirected (-1: no redirect)
     * @param threads event-loop threads (0 = one per core)
     */
    public IngressListeners(Supplier<RouteTable> routes, Supplier<Certificates> certificates, IngressMetrics metrics,
                            AccessLog accessLog, int httpsPort, Duration connectTimeout, Duration upstreamTimeout,
                            int threads) {
        this.group = new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory("clusterdns-ingress", true),
                NioIoHandler.newFactory());
        this.context = new ProxyContext(routes, certificates, metrics, accessLog, httpsPort, connectTimeout,
                upstreamTimeout);
    }

    /** Where plain requests for TLS hosts are redirected (the first HTTPS port); -1 for nowhere. */
    public void httpsPort(int port) {
        context.httpsPort(port);
    }

    /** Binds a plain HTTP listener; returns the bound address (port 0 picks one). */
    public InetSocketAddress bindHttp(InetSocketAddress address) throws InterruptedException {
        return bind(address, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.config().setAutoRead(false);
                http1(ch.pipeline(), false);
            }
        });
    }

    /** Binds a TLS listener (SNI, ALPN h2 and http/1.1). */
    public InetSocketAddress bindHttps(InetSocketAddress address) throws InterruptedException {
        Mapping<String, SslContext> sni = host -> context.certificates().forHost(host);
        return bind(address, new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
                ch.pipeline().addLast(new SniHandler(sni))
                        .addLast(new HandshakeCounter())
                        .addLast(new Negotiation());
            }
        });
    }

    private InetSocketAddress bind(InetSocketAddress address, ChannelInitializer<SocketChannel> init)
            throws InterruptedException {
        Channel ch = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(init)
                .bind(address).sync().channel();
        synchronized (bound) {
            bound.add(ch);
        }
        return (InetSocketAddress) ch.localAddress();
    }

    private void http1(ChannelPipeline p, boolean https) {
        // A kept-alive client connection idle this long between requests is closed (nginx's keepalive_timeout).
        p.addLast(new IdleStateHandler(0, 0, CLIENT_KEEPALIVE_SECONDS, TimeUnit.SECONDS))
                .addLast(FrontendHandler.CODEC, new HttpServerCodec())
                .addLast(FrontendHandler.CONTINUE, new HttpServerExpectContinueHandler())
                .addLast(new FrontendHandler(context, https, false));
    }

    private final class Negotiation extends ApplicationProtocolNegotiationHandler {
        Negotiation() {
            super(ApplicationProtocolNames.HTTP_1_1);
        }

        @Override
        protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
            ChannelPipeline p = ctx.pipeline();
            if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
                // The connection keeps reading (HTTP/2 flow control holds each stream back); streams read on demand.
                p.addLast(Http2FrameCodecBuilder.forServer().build(),
                        new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                            @Override
                            protected void initChannel(Http2StreamChannel stream) {
                                stream.config().setAutoRead(false);
                                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true),
                                        new FrontendHandler(context, true, true));
                            }
                        }));
            } else {
                ctx.channel().config().setAutoRead(false);
                http1(p, true);
            }
        }

        @Override
        protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
            LOG.debug("TLS handshake with {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    private final class HandshakeCounter extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent e) {
                context.metrics().handshake(e.isSuccess());
                ctx.pipeline().remove(this);
            }
            super.userEventTriggered(ctx, evt);
        }
    }

    @Override
    public void close() {
        synchronized (bound) {
            bound.forEach(c -> c.close().syncUninterruptibly());
            bound.clear();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
