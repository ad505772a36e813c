package dev.clusterdns.dns.transport;

import dev.clusterdns.dns.DnsServer;
import dev.clusterdns.dns.pipeline.Pipeline;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Per address one TCP listener on Netty (one event-loop group, epoll when available, NIO otherwise)
 * and {@code sockets} UDP sockets, each with a thread of its own ({@link UdpSocket}), bound with
 * SO_REUSEPORT so the kernel spreads clients over them ({@link UdpSocketGroup}: no other socket may
 * join them).
 */
public final class Listeners implements AutoCloseable {
    private static final int MAX_DATAGRAM = 4096;
    private static final int UDP_RECEIVE_BUFFER = 4 << 20;

    private final EventLoopGroup group;
    private final List<Channel> channels;
    private final List<UdpSocketGroup> udpGroups;
    private final List<InetSocketAddress> addresses;
    private final boolean epoll;

    private Listeners(EventLoopGroup group, List<Channel> channels, List<UdpSocketGroup> udpGroups,
            List<InetSocketAddress> addresses, boolean epoll) {
        this.group = group;
        this.channels = channels;
        this.udpGroups = udpGroups;
        this.addresses = addresses;
        this.epoll = epoll;
    }

    public static Listeners bind(DnsServer.Config config, Pipeline pipeline, DnsMetrics metrics) throws IOException {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(config.sockets(), new DefaultThreadFactory("dns", true), io);
        ReplyEncoder encoder = new ReplyEncoder(config.ednsSize());
        QueryLog log = config.logQueries() ? new QueryLog(true) : QueryLog.OFF;
        DnsServer.Limits limits = config.limits();
        ResponseRateLimit rrl = limits.rrlRate() > 0
                ? new ResponseRateLimit(limits.rrlRate(), limits.rrlSlip(), System::nanoTime) : null;
        TcpClientCap cap = new TcpClientCap(limits.tcpPerClient());
        List<Channel> channels = new ArrayList<>();
        List<UdpSocketGroup> udpGroups = new ArrayList<>();
        List<InetSocketAddress> bound = new ArrayList<>();
        DefaultThreadFactory udpThreads = new DefaultThreadFactory("dns-udp", true);
        try {
            for (InetSocketAddress want : config.listen()) {
                // One handler per address: its metrics carry the address as CoreDNS's `server` label.
                QueryHandler queries = new QueryHandler(pipeline, encoder, metrics.forServer("dns://" + format(want)), log, rrl);
                // TCP first: with port 0 it picks the port that the UDP sockets then share.
                Channel tcp = bindTcp(group, epoll, queries, cap, config, want);
                channels.add(tcp);
                InetSocketAddress actual = new InetSocketAddress(want.getAddress(),
                        ((InetSocketAddress) tcp.localAddress()).getPort());
                UdpSocketGroup udp = UdpSocketGroup.bind(actual, config.sockets(),
                        at -> UdpSocket.bind(at, queries, MAX_DATAGRAM, UDP_RECEIVE_BUFFER, udpThreads));
                udpGroups.add(udp);
                bound.add(actual);
            }
        } catch (IOException | RuntimeException e) {
            // Closed before the error goes up, as the contract says: a channel's close runs on its
            // event loop, and a caller binding the port again at once found it still held.
            close(group, channels, udpGroups);
            throw e;
        }
        return new Listeners(group, channels, udpGroups, List.copyOf(bound), epoll);
    }

    private static Channel bindTcp(EventLoopGroup group, boolean epoll, QueryHandler queries, TcpClientCap cap,
            DnsServer.Config config,
            InetSocketAddress at) throws IOException {
        Class<? extends ServerSocketChannel> type = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        long idleMillis = config.tcpIdle().toMillis();
        ServerBootstrap b = new ServerBootstrap().group(group).channel(type)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(
                                cap,
                                // Reader idle only: watching writes too would add a promise and a
                                // listener to every reply; TcpHandler checks the time of its last answer.
                                new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS),
                                new LengthFieldBasedFrameDecoder(65535 + 2, 0, 2, 0, 2),
                                new LengthFieldPrepender(2),
                                new TcpHandler(queries, idleMillis));
                    }
                });
        return bindOrExplain(b.bind(at), "tcp", at);
    }

    private static Channel bindOrExplain(io.netty.channel.ChannelFuture f, String proto, InetSocketAddress at)
            throws IOException {
        f.awaitUninterruptibly();
        if (!f.isSuccess()) {
            Throwable cause = f.cause();
            throw ListenError.of(at, proto, cause == null ? new IOException("unknown error") : cause);
        }
        return f.channel();
    }

    static String format(InetSocketAddress a) {
        String host = a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    public List<InetSocketAddress> addresses() {
        return addresses;
    }

    public String transportName() {
        return epoll ? "epoll" : "nio";
    }

    @Override
    public void close() {
        close(group, channels, udpGroups);
    }

    /** Closes the channels and the UDP sockets and waits for it, then the event loops. */
    private static void close(EventLoopGroup group, List<Channel> channels, List<UdpSocketGroup> udpGroups) {
        for (Channel c : channels) {
            c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        udpGroups.forEach(UdpSocketGroup::close);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
