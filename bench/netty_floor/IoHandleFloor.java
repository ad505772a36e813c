// A TCP relay on Netty's epoll event loop without Netty channels, for bench/proxy_conn.sh (FLOOR=1):
// sockets are Netty's io.netty.channel.unix.Socket, registered as EpollIoHandles on an
// EpollIoHandler loop (Netty 4.2's IoHandle API): no pipeline, promise, channel config or cached
// addresses per connection. What a proxy on Netty's event loop could cost at least; not part of
// clusterdns, and only the happy path (no half-close, no retries, no timeouts). Run as a single
// source file:
//   java -cp cli/target/clusterdns.jar bench/netty_floor/IoHandleFloor.java LISTEN_IP LISTEN_PORT BACKEND_IP BACKEND_PORT
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.unix.FileDescriptor;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

public final class IoHandleFloor {
    static final int IN = EpollIoOps.EPOLLIN.value();
    static final int OUT = EpollIoOps.EPOLLOUT.value();
    static final int ERR = EpollIoOps.EPOLLERR.value();

    /** Netty's Socket with an AF_INET stream socket (its public factory opens a dual-stack one). */
    static final class Sock extends Socket {
        Sock(int fd) {
            super(fd);
        }

        static Sock inetStream() {
            return new Sock(newSocketStream0(SocketProtocolFamily.INET));
        }
    }

    public static void main(String[] args) throws Exception {
        InetSocketAddress listen = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        InetSocketAddress backend = new InetSocketAddress(InetAddress.getByName(args[2]), Integer.parseInt(args[3]));
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("clusterdns-proxy-io-iohandle", true), EpollIoHandler.newFactory());
        IoEventLoop loop = (IoEventLoop) group.next();
        loop.submit(() -> {
            Sock server = Sock.inetStream();
            server.setReuseAddress(true);
            server.bind(listen);
            server.listen(4096);
            Listener l = new Listener(server, loop, backend);
            loop.register(l).addListener(f -> {
                IoRegistration r = (IoRegistration) f.getNow();
                r.submit(EpollIoOps.EPOLLIN);
            });
            return null;
        }).sync();
        System.out.println("listening on " + listen);
        Thread.currentThread().join();
    }

    static final class Listener implements EpollIoHandle {
        final Sock server;
        final IoEventLoop loop;
        final InetSocketAddress backend;
        final byte[] addr = new byte[26];
        /** One read buffer for the loop: everything is copied out before the next read. */
        final ByteBuffer buf = ByteBuffer.allocateDirect(64 * 1024);

        Listener(Sock server, IoEventLoop loop, InetSocketAddress backend) {
            this.server = server;
            this.loop = loop;
            this.backend = backend;
        }

        @Override
        public FileDescriptor fd() {
            return server;
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            for (int i = 0; i < 16; i++) {
                int fd;
                try {
                    fd = server.accept(addr);
                } catch (IOException e) {
                    return;
                }
                if (fd < 0) {
                    return;
                }
                new Conn(this, new Sock(fd)).start();
            }
        }

        @Override
        public void close() {
        }
    }

    /** One side of a connection: a socket, its registration and what waits to be written to it. */
    static final class Side implements EpollIoHandle {
        final Conn conn;
        final Sock sock;
        Side peer;
        IoRegistration reg;
        int ops;
        ByteBuffer pending;
        boolean connecting;

        Side(Conn conn, Sock sock) {
            this.conn = conn;
            this.sock = sock;
        }

        @Override
        public FileDescriptor fd() {
            return sock;
        }

        void want(int newOps) {
            // EPOLLERR always: Netty's registration deletes a descriptor whose interest set is empty.
            newOps |= ERR;
            if (newOps != ops && reg != null) {
                ops = newOps;
                reg.submit(EpollIoOps.valueOf(newOps));
            } else {
                ops = newOps;
            }
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            int ready = ((EpollIoEvent) event).ops().value();
            if ((ready & ERR) != 0 && connecting) {
                conn.close();
                return;
            }
            if ((ready & OUT) != 0) {
                connecting = false;
                if (!drain()) {
                    return;
                }
            }
            if ((ready & (IN | ERR)) != 0 && sock.isOpen()) {
                read();
            }
        }

        /** Writes what is pending; true when nothing is left (then stops asking for EPOLLOUT). */
        boolean drain() {
            if (pending != null) {
                try {
                    int n = sock.send(pending, pending.position(), pending.limit());
                    pending.position(pending.position() + n);
                } catch (IOException e) {
                    conn.close();
                    return false;
                }
                if (pending.hasRemaining()) {
                    return true;
                }
                pending = null;
                if (peer.sock.isOpen() && !peer.connecting) {
                    peer.want(peer.ops | IN);
                }
            }
            want(ops & ~OUT);
            if (conn.closing) {
                conn.close();
                return false;
            }
            return true;
        }

        void read() {
            ByteBuffer buf = conn.listener.buf;
            for (int i = 0; i < 16; i++) {
                int n;
                try {
                    n = sock.recv(buf, 0, buf.capacity());
                } catch (IOException e) {
                    conn.close();
                    return;
                }
                if (n == 0) {
                    return;
                }
                if (n < 0) {
                    conn.ended(peer);
                    return;
                }
                peer.write(buf, n);
                if (peer.pending != null) {
                    want(ops & ~IN);
                    return;
                }
            }
        }

        void write(ByteBuffer buf, int n) {
            int sent = 0;
            if (pending == null && !connecting) {
                try {
                    sent = Math.max(0, sock.send(buf, 0, n));
                } catch (IOException e) {
                    conn.close();
                    return;
                }
            }
            if (sent < n) {
                ByteBuffer rest = ByteBuffer.allocateDirect(n - sent + (pending == null ? 0 : pending.remaining()));
                if (pending != null) {
                    rest.put(pending);
                }
                rest.put(buf.duplicate().position(sent).limit(n)).flip();
                pending = rest;
                want(ops | OUT);
            }
        }

        @Override
        public void close() {
        }
    }

    static final class Conn {
        final Listener listener;
        final Side client;
        final Side server;
        boolean closing;

        Conn(Listener listener, Sock c) {
            this.listener = listener;
            this.client = new Side(this, c);
            this.server = new Side(this, Sock.inetStream());
            client.peer = server;
            server.peer = client;
        }

        void start() {
            try {
                client.sock.setTcpNoDelay(true);
                server.sock.setTcpNoDelay(true);
                server.connecting = !server.sock.connect(listener.backend);
            } catch (IOException e) {
                close();
                return;
            }
            register(client, IN);
            register(server, server.connecting ? IN | OUT : IN);
        }

        private void register(Side s, int ops) {
            s.ops = ops | ERR;
            listener.loop.register(s).addListener(f -> {
                if (!f.isSuccess()) {
                    close();
                    return;
                }
                s.reg = (IoRegistration) f.getNow();
                s.reg.submit(EpollIoOps.valueOf(s.ops));
            });
        }

        /** One side reached EOF: close once what is pending for {@code to} is written. */
        void ended(Side to) {
            closing = true;
            if (to.pending == null) {
                close();
            }
        }

        void close() {
            closeSide(client);
            closeSide(server);
        }

        private static void closeSide(Side s) {
            if (s.sock.isOpen()) {
                try {
                    s.sock.close();
                } catch (IOException ignored) {
                    // closed either way
                }
            }
            if (s.reg != null) {
                s.reg.cancel();
            }
        }
    }
}
