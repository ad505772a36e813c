package dev.clusterdns.proxy.tcp;

import dev.clusterdns.agent.net.PortHolders;
import dev.clusterdns.proxy.table.Frontend;
import dev.clusterdns.proxy.table.ListenKey;
import dev.clusterdns.proxy.table.Route;
import dev.clusterdns.proxy.transport.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoop;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannelConfig;
import java.io.IOException;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A TCP listener on one Service address; each accepted connection is relayed to an endpoint. */
public final class TcpListener implements Frontend {
    private final ListenKey key;
    private volatile Route route;
    /** Accept sockets on the channel path (NIO). */
    private final List<Channel> servers = new ArrayList<>();
    /** Accept sockets on the {@code IoHandle} path (epoll). */
    private final List<ListeningSocket> sockets = new ArrayList<>();

    private TcpListener(ListenKey key, Route route) {
        this.key = key;
        this.route = route;
    }

    /**
     * Binds {@code key} (blocking until bound) and serves {@code route}: one accept socket per event
     * loop, sharing the address with SO_REUSEPORT when there is more than one loop, so the kernel
     * spreads new connections over the loops and each connection stays on the loop that accepted it
     * (no hand-off from an acceptor thread, no wakeup of another loop). Before the group binds, a
     * probe without SO_REUSEPORT checks that nobody holds the address: Linux would let a listener of
     * the same user that set SO_REUSEPORT share it silently (it would get part of the connections).
     * The kernel's bind-bucket fast path admits such a listener once the group is bound whatever its
     * sockets do afterwards (unlike UDP), so a later one can still join; only a user of its own stops that.
     * On epoll the sockets are Netty {@code IoHandle}s ({@link ListeningSocket}, connections relayed by
     * {@link ProxiedConnection}); on NIO, server channels ({@link FrontendHandler}, {@link Relay}).
     *
     * @param idleTimeout a connection with no bytes either way for this long is closed
     * @throws Exception when the address cannot be bound (nothing stays bound then)
     */
    public static TcpListener bind(Transport transport, ListenKey key, Route route, Duration idleTimeout) throws Exception {
        TcpListener listener = new TcpListener(key, route);
        boolean idleCloses = !idleTimeout.isZero() && !idleTimeout.isNegative();
        List<EventLoop> loops = transport.loops();
        SocketAddress address = key.socketAddress();
        try {
            if (loops.size() > 1 && key.port() != 0) {
                probe(key);
            }
            if (transport.ioHandles()) {
                for (IoEventLoop loop : transport.ioLoops()) {
                    // Accepted sockets stay on this loop, so one sweep per loop sees all of its connections.
                    ListeningSocket socket = ListeningSocket.bind(listener, loop, (InetSocketAddress) address,
                            loops.size() > 1, transport.allocator(), idleCloses ? new IdleSweep(loop, idleTimeout) : null);
                    listener.sockets.add(socket);
                    // Port 0: the other loops' sockets join the port the first one got.
                    address = socket.localAddress();
                }
                return listener;
            }
            for (EventLoop loop : loops) {
                // Accepted channels stay on this loop, so one sweep per loop sees all of its connections.
                IdleSweep idle = idleCloses ? new IdleSweep(loop, idleTimeout) : null;
                ConnectTimeouts timeouts = new ConnectTimeouts(loop, ConnectTimeouts.ATTEMPT_TIMEOUTS_MS);
                // The handler is the whole pipeline: no initializer to run and remove per connection.
                ServerBootstrap b = new ServerBootstrap()
                        // The accepting loop is the connection's loop: registering runs inline.
                        .group(loop, loop)
                        .channelFactory(() -> transport.newServerChannel(key.socketAddress().getAddress()))
                        .handler(new Accepted(listener, transport, idle, timeouts))
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .option(ChannelOption.SO_BACKLOG, 4096)
                        // Never used: Accepted sets up and registers every accepted channel itself.
                        .childHandler(new ChannelInboundHandlerAdapter());
                if (loops.size() > 1) {
                    b.option(transport.reusePort(), true);
                }
                Channel server = b.bind(address).sync().channel();
                listener.servers.add(server);
                // Port 0: the other loops' sockets join the port the first one got.
                address = server.localAddress();
            }
        } catch (Exception e) {
            listener.close();
            if (PortHolders.addressInUse(e) && !(e instanceof BindException)) {
                throw inUse(key, e);
            }
            throw e;
        }
        return listener;
    }

    /** Binds {@code key} without SO_REUSEPORT and closes it: fails if anything holds the address. */
    private static void probe(ListenKey key) throws IOException {
        try (ServerSocketChannel probe = ServerSocketChannel.open(key.address() instanceof Inet4Address
                ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6)) {
            probe.bind(key.socketAddress());
        } catch (IOException e) {
            throw PortHolders.addressInUse(e) ? inUse(key, e) : e;
        }
    }

    private static BindException inUse(ListenKey key, Exception cause) {
        BindException e = new BindException("address already in use ("
                + PortHolders.describe("tcp", key.socketAddress()) + ")");
        e.initCause(cause);
        return e;
    }

    /**
     * Sets up each accepted channel and registers it on the accepting loop, in place of the
     * bootstrap's acceptor (which would copy option and attribute maps onto every channel, and run and
     * remove a {@code ChannelInitializer}, with a concurrent set of its own, for each): the connection's
     * pipeline is its {@link FrontendHandler} alone. Accept errors still reach the acceptor (it pauses
     * accepting briefly, e.g. when out of file descriptors).
     */
    private static final class Accepted extends ChannelInboundHandlerAdapter {
        private final TcpListener listener;
        private final Transport transport;
        private final IdleSweep idle;
        private final ConnectTimeouts timeouts;

        Accepted(TcpListener listener, Transport transport, IdleSweep idle, ConnectTimeouts timeouts) {
            this.listener = listener;
            this.transport = transport;
            this.idle = idle;
            this.timeouts = timeouts;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Channel child = (Channel) msg;
            SocketChannelConfig config = (SocketChannelConfig) child.config();
            // Reading from the start (auto-read is on by default): a request that comes with the
            // handshake is read while the endpoint connects (FrontendHandler holds it, bounded).
            // TCP_NODELAY is on by default in Netty's socket configs; setting it again would be one
            // more setsockopt per connection.
            config.setAllowHalfClosure(true);
            config.setAllocator(transport.allocator());
            child.pipeline().addLast(new FrontendHandler(listener, transport, idle, timeouts));
            ctx.channel().eventLoop().register(child).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }

    Route currentRoute() {
        return route;
    }

    @Override
    public void route(Route newRoute) {
        this.route = newRoute;
    }

    public ListenKey key() {
        return key;
    }

    @Override
    public void close() {
        // Only the listening socket: accepted connections keep relaying until either side ends them.
        servers.forEach(s -> s.close().syncUninterruptibly());
        sockets.forEach(ListeningSocket::closeFromOutside);
    }
}
