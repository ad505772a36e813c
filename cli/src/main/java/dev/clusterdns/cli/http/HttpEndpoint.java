package dev.clusterdns.cli.http;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP side of `serve` (`--http-listen`) on Netty: `/health`, `/ready`, `/metrics` and the API.
 * Non-blocking I/O with the limits in {@link HttpLimits}, so slow or hostile clients cost a socket
 * each and never a thread; handlers run on their own small executor, off the I/O loop.
 */
public final class HttpEndpoint implements AutoCloseable {

    /** Answers one request; must call {@link Exchange#reply} or {@link Exchange#stream} once. */
    @FunctionalInterface
    public interface Handler {
        void handle(Exchange exchange) throws Exception;
    }

    /** Set while a connection waits for (the rest of) a request: the time it started waiting. */
    static final AttributeKey<Long> AWAITING_SINCE = AttributeKey.valueOf("clusterdns.http.awaitingSince");
    /** Set once bytes of the awaited request have arrived (a timeout then answers 408; else it just closes). */
    static final AttributeKey<Boolean> STARTED = AttributeKey.valueOf("clusterdns.http.started");
    /** Set on a connection that carries a streamed response (a watch). */
    static final AttributeKey<Boolean> STREAMING = AttributeKey.valueOf("clusterdns.http.streaming");

    private record Tree(String prefix, Handler handler) {}

    private final HttpLimits limits;
    private final EventLoopGroup io;
    private final EventExecutorGroup work;
    private final Channel server;
    private final ConnectionTable connections;
    private final Map<String, Handler> exact = new ConcurrentHashMap<>();
    private final List<Tree> trees = new CopyOnWriteArrayList<>();

    private HttpEndpoint(HttpLimits limits, EventLoopGroup io, EventExecutorGroup work, Channel server,
                         ConnectionTable connections) {
        this.limits = limits;
        this.io = io;
        this.work = work;
        this.server = server;
        this.connections = connections;
    }

    public static HttpEndpoint start(InetSocketAddress address) throws IOException {
        return start(address, HttpLimits.defaults());
    }

    public static HttpEndpoint start(InetSocketAddress address, HttpLimits limits) throws IOException {
        EventLoopGroup io = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("http-io", true),
                NioIoHandler.newFactory());
        EventExecutorGroup work = new DefaultEventExecutorGroup(2, new DefaultThreadFactory("http", true));
        ConnectionTable connections = new ConnectionTable(limits.maxConnections());
        HttpEndpoint[] self = new HttpEndpoint[1];
        ServerBootstrap b = new ServerBootstrap()
                .group(io)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(1 << 20, 8 << 20))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        self[0].init(ch);
                    }
                });
        Channel server;
        try {
            server = b.bind(address).syncUninterruptibly().channel();
        } catch (Exception e) {
            io.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            work.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IOException("cannot listen for HTTP on " + address + ": " + e.getMessage(), e);
        }
        self[0] = new HttpEndpoint(limits, io, work, server, connections);
        return self[0];
    }

    private void init(SocketChannel ch) {
        connections.admit(ch);
        long idle = limits.idleTimeout().toMillis();
        ch.pipeline()
                .addLast("idle", new IdleStateHandler(true, 0, 0, idle, TimeUnit.MILLISECONDS))
                .addLast("started", new io.netty.channel.ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                        ctx.channel().attr(STARTED).set(Boolean.TRUE);
                        ctx.fireChannelRead(msg);
                    }

                    @Override
                    public boolean isSharable() {
                        return false;
                    }
                })
                .addLast("codec", new HttpServerCodec(new HttpDecoderConfig()
                        .setMaxInitialLineLength(limits.maxInitialLineBytes())
                        .setMaxHeaderSize(limits.maxHeaderBytes())
                        .setMaxChunkSize(8192)))
                .addLast("aggregate", new HttpObjectAggregator(limits.maxBodyBytes()))
                .addLast(work, "route", new Router(this, limits));
        Router.awaitRequest(ch, limits);
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.localAddress();
    }

    /** Serves exactly {@code path} (no prefix matching). */
    public void route(String path, Handler handler) {
        exact.put(path, handler);
    }

    /**
     * Serves every path under {@code prefix} (which ends with `/`) and the prefix without its slash;
     * the handler parses the rest of the path itself, exactly.
     */
    public void routeTree(String prefix, Handler handler) {
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("a route tree prefix ends with /: " + prefix);
        }
        trees.add(new Tree(prefix, handler));
    }

    Handler handlerFor(String path) {
        Handler h = exact.get(path);
        if (h != null) {
            return h;
        }
        Tree best = null;
        for (Tree t : trees) {
            boolean under = path.startsWith(t.prefix()) || path.equals(t.prefix().substring(0, t.prefix().length() - 1));
            if (under && (best == null || t.prefix().length() > best.prefix().length())) {
                best = t;
            }
        }
        return best == null ? null : best.handler();
    }

    /** Open connections, for tests and metrics. */
    public int openConnections() {
        return connections.size();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
        connections.closeAll();
        io.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        work.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
}
