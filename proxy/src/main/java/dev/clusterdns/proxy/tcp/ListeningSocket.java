package dev.clusterdns.proxy.tcp;

import dev.clusterdns.proxy.table.Route;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.NativeInetAddress;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * One accept socket of a {@link TcpListener} on one epoll event loop, registered as an
 * {@code IoHandle} (no server channel): every connection it accepts is a {@link ProxiedConnection}
 * on this loop. An accept error (out of descriptors, typically) pauses accepting for a second, as
 * Netty's server bootstrap does.
 */
final class ListeningSocket implements EpollIoHandle {
    private static final int ACCEPTS_PER_EVENT = 16;
    private static final int BACKLOG = 4096;
    private static final EpollIoOps ACCEPTING = EpollIoOps.EPOLLIN.with(EpollIoOps.EPOLLERR);

    private final TcpListener listener;
    private final IoEventLoop loop;
    private final LinuxSocket socket;
    private final ByteBufAllocator allocator;
    /** Null without an idle timeout. */
    private final IdleSweep idle;
    private final ConnectTimeouts connectTimeouts;
    /** The address of each accepted peer, as Netty's native accept writes it (length, address, port). */
    private final byte[] acceptedAddress = new byte[26];
    private IoRegistration registration;
    private boolean closed;

    private ListeningSocket(TcpListener listener, IoEventLoop loop, LinuxSocket socket, ByteBufAllocator allocator,
            IdleSweep idle) {
        this.listener = listener;
        this.loop = loop;
        this.socket = socket;
        this.allocator = allocator;
        this.idle = idle;
        this.connectTimeouts = new ConnectTimeouts(loop, ConnectTimeouts.ATTEMPT_TIMEOUTS_MS);
    }

    /**
     * Binds {@code address} (an AF_INET socket for an IPv4 address) and accepts on {@code loop}.
     *
     * @param reusePort join the address's SO_REUSEPORT group (one socket per loop)
     * @param idle the loop's idle sweep, or null
     */
    static ListeningSocket bind(TcpListener listener, IoEventLoop loop, InetSocketAddress address, boolean reusePort,
            ByteBufAllocator allocator, IdleSweep idle) throws Exception {
        LinuxSocket socket = LinuxSocket.newSocketStream(address.getAddress() instanceof Inet4Address
                ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6);
        try {
            socket.setReuseAddress(true);
            if (reusePort) {
                socket.setReusePort(true);
            }
            socket.bind(address);
            socket.listen(BACKLOG);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        ListeningSocket l = new ListeningSocket(listener, loop, socket, allocator, idle);
        try {
            l.registration = loop.register(l).sync().getNow();
            l.registration.submit(ACCEPTING);
        } catch (Exception e) {
            loop.submit(l::close).syncUninterruptibly();
            throw e;
        }
        return l;
    }

    InetSocketAddress localAddress() {
        return socket.localAddress();
    }

    IoEventLoop loop() {
        return loop;
    }

    ByteBufAllocator allocator() {
        return allocator;
    }

    IdleSweep idle() {
        return idle;
    }

    ConnectTimeouts connectTimeouts() {
        return connectTimeouts;
    }

    @Override
    public FileDescriptor fd() {
        return socket;
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        for (int i = 0; i < ACCEPTS_PER_EVENT && !closed; i++) {
            int fd;
            try {
                fd = socket.accept(acceptedAddress);
            } catch (IOException e) {
                pauseAccepting();
                return;
            }
            if (fd < 0) {
                return;
            }
            LinuxSocket client = LinuxSocket.newSocket(fd);
            Route route = listener.currentRoute();
            // The address only when the route looks at it: one allocation less per connection otherwise.
            InetAddress from = route.sourceRanges().isEmpty() && !route.balancer().pinsClients() ? null
                    : NativeInetAddress.address(acceptedAddress, 1, acceptedAddress[0]).getAddress();
            ProxiedConnection.start(this, route, client, from);
        }
    }

    private void pauseAccepting() {
        registration.submit(EpollIoOps.EPOLLERR);
        loop.schedule(() -> {
            if (!closed) {
                registration.submit(ACCEPTING);
            }
        }, 1, TimeUnit.SECONDS);
    }

    /** Closes the socket on its loop; accepted connections stay. Also Netty's call when the loop shuts down. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            socket.close();
        } catch (IOException e) {
            // closed either way
        }
        if (registration != null) {
            registration.cancel();
        }
    }

    /** {@link #close()} from another thread: waits for the loop to do it. */
    void closeFromOutside() {
        if (loop.isShuttingDown()) {
            close();
        } else {
            loop.submit(this::close).syncUninterruptibly();
        }
    }
}
