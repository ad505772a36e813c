package dev.clusterdns.proxy.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The event loops every listener and backend connection share: NIO, or native epoll when asked for
 * and available, with pooled direct buffers. On epoll, TCP registers Netty sockets on the loops as
 * {@code IoHandle}s ({@link #ioHandles()}); NIO TCP and UDP use the channel classes made here. One
 * group serves accepts and relaying; a backend connection always runs on its client connection's
 * loop, so a relay never crosses threads.
 */
public final class Transport implements AutoCloseable {
    private final EventLoopGroup group;
    private final boolean epoll;

    private Transport(EventLoopGroup group, boolean epoll) {
        this.group = group;
        this.epoll = epoll;
    }

    /**
     * Starts {@code threads} event loops (0 = one per core).
     *
     * @param preferNative epoll when available; false forces NIO
     */
    public static Transport start(int threads, boolean preferNative) {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        boolean native_ = preferNative && Epoll.isAvailable();
        DefaultThreadFactory tf = new DefaultThreadFactory("clusterdns-proxy-io", true);
        EventLoopGroup g = new MultiThreadIoEventLoopGroup(n, tf,
                native_ ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        return new Transport(g, native_);
    }

    public EventLoopGroup group() {
        return group;
    }

    /** The event loops; each gets its own accept socket (see {@code TcpListener}). */
    public List<EventLoop> loops() {
        List<EventLoop> loops = new ArrayList<>();
        group.forEach(e -> loops.add((EventLoop) e));
        return loops;
    }

    /**
     * Whether TCP runs on Netty's {@code IoHandle} API (sockets registered on the epoll loops without
     * channels, {@code tcp.ListeningSocket}) rather than on channels: on epoll.
     */
    public boolean ioHandles() {
        return epoll;
    }

    /** The event loops as {@link IoEventLoop}s, to register {@code IoHandle}s on. */
    public List<IoEventLoop> ioLoops() {
        List<IoEventLoop> loops = new ArrayList<>();
        group.forEach(e -> loops.add((IoEventLoop) e));
        return loops;
    }

    /**
     * SO_REUSEPORT on the NIO path's server channels (Linux 3.9+; the JDK supports it since 9); the
     * epoll path's {@code ListeningSocket}s set it on the socket itself.
     */
    public ChannelOption<Boolean> reusePort() {
        return NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT);
    }

    public ByteBufAllocator allocator() {
        return PooledByteBufAllocator.DEFAULT;
    }

    /** "epoll" or "nio". */
    public String name() {
        return epoll ? "epoll" : "nio";
    }

    /**
     * A new, unbound server socket channel of {@code address}'s family: an IPv4 address gets an
     * AF_INET socket (Netty would open a dual-stack IPv6 one, and every accepted connection would be
     * one too, with IPv4-mapped addresses).
     */
    public ServerChannel newServerChannel(InetAddress address) {
        return new NioServerSocketChannel(SelectorProvider.provider(), tcpChannelFamily(address));
    }

    /**
     * A new, unregistered client socket channel of {@code endpoint}'s family (no reflection, unlike a
     * Bootstrap's channel factory; AF_INET for IPv4 saves the IPV6_V6ONLY setsockopt of a dual-stack
     * socket).
     */
    public SocketChannel newSocketChannel(InetAddress endpoint) {
        return new NioSocketChannel(SelectorProvider.provider(), tcpChannelFamily(endpoint));
    }

    /**
     * TCP channels are the NIO path's only: on epoll, TCP runs on {@code IoHandle}s
     * ({@link #ioHandles()}), and Netty's epoll socket channels would bring back the half-close
     * bug the proxy no longer works around (see the README).
     */
    private SocketProtocolFamily tcpChannelFamily(InetAddress address) {
        if (epoll) {
            throw new IllegalStateException("TCP on epoll runs on IoHandles, not channels");
        }
        return family(address);
    }

    private static SocketProtocolFamily family(InetAddress a) {
        return a instanceof Inet4Address ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
    }

    public Class<? extends DatagramChannel> datagramChannel() {
        return epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
