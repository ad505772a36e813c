package dev.clusterdns.proxy.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoEvent;
import io.netty.channel.epoll.EpollIoHandle;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.FileDescriptor;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.NotYetConnectedException;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;

/**
 * One socket of a {@link ProxiedConnection} on Netty's {@code IoHandle} API: reads, what waits to be
 * written to it, its epoll interest set, and its half of a half-close. Bytes read are sent straight
 * to the peer socket; what the peer's socket does not take is queued on the peer (the pooled buffer
 * itself, no copy), and this socket stops reading while the peer's queue holds {@link #HIGH_WATER}
 * bytes or more, until it drains below {@link #LOW_WATER}: memory per connection is bounded both
 * ways. While the endpoint connects, the client's bytes wait in the endpoint's queue, so the same
 * bound holds what the client sends early. Confined to its event loop.
 */
final class RelaySocket implements EpollIoHandle {
    private static final int IN = EpollIoOps.EPOLLIN.value();
    private static final int OUT = EpollIoOps.EPOLLOUT.value();
    private static final int ERR = EpollIoOps.EPOLLERR.value();
    /** EPOLLHUP (Linux's value; Netty has no constant for it): reported whether asked for or not. */
    private static final int HUP = 0x10;
    /** Bytes per read: HAProxy's default buffer size. */
    private static final int READ_SIZE = 16 * 1024;
    /** Reads per readiness event at most, so one busy connection cannot hold the loop. */
    private static final int READS_PER_EVENT = 16;
    /** Netty's default high-water mark, as on the channel path: the peer stops reading at this many queued bytes. */
    static final int HIGH_WATER = FrontendHandler.EARLY_LIMIT;
    /** Netty's default low-water mark: the peer reads again below it. */
    private static final int LOW_WATER = HIGH_WATER / 2;

    final LinuxSocket socket;
    private final ProxiedConnection connection;
    private final ByteBufAllocator allocator;
    private final CounterDataPoint bytesRead;
    private RelaySocket peer;
    private IoRegistration registration;
    /** The loop it is registered on; null before. */
    private IoEventLoop loop;
    /** The interest set epoll has (or gets at registration); EPOLLERR always. */
    private int interest;
    private ArrayDeque<ByteBuf> queue;
    private int queued;
    private boolean connecting;
    private boolean reading;
    private boolean inputEnded;
    private boolean finQueued;
    /** Our FIN was read and is not passed on yet (see {@link #inputEnded}). */
    private boolean finDeferred;
    private boolean closed;

    RelaySocket(ProxiedConnection connection, LinuxSocket socket, ByteBufAllocator allocator, CounterDataPoint bytesRead) {
        this.connection = connection;
        this.socket = socket;
        this.allocator = allocator;
        this.bytesRead = bytesRead;
    }

    void peer(RelaySocket peer) {
        this.peer = peer;
    }

    boolean isClosed() {
        return closed;
    }

    boolean isConnecting() {
        return connecting;
    }

    @Override
    public FileDescriptor fd() {
        return socket;
    }

    /**
     * Registers on {@code loop} (the caller's) with one {@code epoll_ctl(ADD)}: reading, or, while
     * {@code connecting}, waiting to become writable.
     */
    void register(IoEventLoop loop, boolean connecting) {
        this.connecting = connecting;
        this.reading = !connecting;
        // EPOLLERR always: Netty's registration takes a descriptor out of epoll once its interest
        // set is empty (the FIN read and nothing queued), and then fails the next wait for EPOLLOUT.
        interest = (connecting ? OUT : IN) | ERR;
        try {
            this.loop = loop;
            registration = loop.register(this).getNow();
            if (registration == null) {
                throw new IllegalStateException("not registered on " + loop);
            }
            registration.submit(EpollIoOps.valueOf(interest));
        } catch (RuntimeException e) {
            connection.failed(this);
        }
    }

    @Override
    public void handle(IoRegistration registration, IoEvent event) {
        if (closed) {
            return;
        }
        int ready = ((EpollIoEvent) event).ops().value();
        if (connecting) {
            // Writable without an error: connected (no getsockopt(SO_ERROR) needed to tell).
            // A refused or unreachable connect reports EPOLLERR and EPOLLHUP.
            if ((ready & (ERR | HUP)) != 0) {
                connection.connectFailed(this);
            } else if ((ready & OUT) != 0) {
                connection.connected(this);
            }
            return;
        }
        if ((ready & OUT) != 0) {
            flush();
            if (closed) {
                return;
            }
        }
        if ((ready & (IN | ERR | HUP)) != 0) {
            if (!inputEnded) {
                // Also while paused: an error or hang-up is reported level-triggered until read.
                read();
            } else if ((ready & (ERR | HUP)) != 0) {
                // Reset after its FIN: passed on as a reset.
                connection.failed(this);
            } else {
                // At end of stream a socket stays readable (level-triggered): reported again, so
                // the peer's FIN did not come in the same turn of the loop. Ours goes on now.
                want(interest & ~IN);
                if (finDeferred) {
                    finDeferred = false;
                    peer.finAfterQueue();
                }
            }
        }
    }

    /** Connected (an endpoint socket): what waits is sent, then it reads. */
    void connected() {
        connecting = false;
        reading = true;
        boolean drained = sendQueued();
        if (closed) {
            return;
        }
        want(drained ? IN : IN | OUT);
        if (drained) {
            drainedAll();
        }
    }

    private void read() {
        ByteBuf buf = null;
        try {
            for (int i = 0; i < READS_PER_EVENT; i++) {
                if (buf == null) {
                    buf = allocator.directBuffer(READ_SIZE, READ_SIZE);
                }
                int n;
                try {
                    n = recv(buf);
                } catch (IOException e) {
                    connection.failed(this);
                    return;
                }
                if (n == 0) {
                    return;
                }
                if (n < 0) {
                    inputEnded();
                    return;
                }
                bytesRead.inc(n);
                connection.moved();
                boolean kept = peer.write(buf);
                buf = kept ? null : buf.clear();
                if (closed) {
                    return;
                }
                if (peer.queued >= HIGH_WATER) {
                    reading = false;
                    want(interest & ~IN);
                    return;
                }
                if (n < READ_SIZE) {
                    // Less than asked for: the socket is empty now (no extra recv to hear EAGAIN).
                    return;
                }
            }
        } finally {
            if (buf != null) {
                buf.release();
            }
        }
    }

    /**
     * This socket's FIN was read: passed on to the peer once what is queued for it has left. When
     * the peer's FIN has not come yet, ours waits for the end of this turn of the loop: EPOLLIN stays
     * asked for, so epoll reports this socket again in the next turn (see handle), and only then is
     * the FIN sent (a shutdown) and EPOLLIN dropped (an epoll_ctl). When the peer's FIN comes in the
     * same turn, as with a client that closes once answered, both sockets just close: two system
     * calls fewer.
     */
    private void inputEnded() {
        inputEnded = true;
        reading = false;
        if (socket.isOutputShutdown()) {
            // The peer's FIN was passed on before: both directions are over.
            close();
            peer.finAfterQueue();
        } else if (peer.finDeferred) {
            // Both FINs in one turn: each goes on, as a close when nothing is queued.
            peer.finDeferred = false;
            finAfterQueue();
            peer.finAfterQueue();
        } else if ((interest & IN) != 0) {
            finDeferred = true;
        } else {
            // Read while paused (an error or hang-up event): no report to wait for.
            peer.finAfterQueue();
        }
    }

    /**
     * Sends {@code buf} (read from the peer), queuing what the socket does not take now.
     *
     * @return whether the queue keeps {@code buf} (else the caller still owns it)
     */
    private boolean write(ByteBuf buf) {
        if (closed) {
            return false;
        }
        if (!connecting && queued == 0) {
            try {
                send(buf);
            } catch (IOException e) {
                connection.failed(this);
                return false;
            }
            if (!buf.isReadable()) {
                return false;
            }
        }
        if (queue == null) {
            queue = new ArrayDeque<>(4);
        }
        queue.add(buf);
        queued += buf.readableBytes();
        if (!connecting) {
            want(interest | OUT);
        }
        return true;
    }

    /** On EPOLLOUT: sends what is queued; once all of it is gone, stops asking. */
    private void flush() {
        if (sendQueued()) {
            want(interest & ~OUT);
            drainedAll();
        }
    }

    /** Sends queued bytes until the socket is full; true when nothing is left. Lets the peer read again below the low-water mark. */
    private boolean sendQueued() {
        if (queue != null) {
            try {
                for (ByteBuf b; (b = queue.peek()) != null; ) {
                    int before = b.readableBytes();
                    send(b);
                    queued -= before - b.readableBytes();
                    if (b.isReadable()) {
                        if (queued < LOW_WATER) {
                            peer.resumeReading();
                        }
                        return false;
                    }
                    queue.poll().release();
                }
            } catch (IOException e) {
                connection.failed(this);
                return false;
            }
        }
        return true;
    }

    private void drainedAll() {
        if (finQueued) {
            finQueued = false;
            shutdownOutput();
            if (closed) {
                return;
            }
        }
        peer.resumeReading();
    }

    private void resumeReading() {
        if (!reading && !inputEnded && !connecting && !closed) {
            reading = true;
            want(interest | IN);
        }
    }

    /** The peer's FIN: sent now if nothing is queued, else once the queue has drained. */
    private void finAfterQueue() {
        if (closed) {
            return;
        }
        if (connecting || queued > 0) {
            finQueued = true;
        } else {
            shutdownOutput();
        }
    }

    private void shutdownOutput() {
        if (inputEnded) {
            // Its own FIN came first: both directions are over, and the close sends ours.
            close();
            return;
        }
        try {
            socket.shutdown(false, true);
        } catch (IOException | NotYetConnectedException e) {
            // The socket was reset since its last event (the kernel refuses the shutdown then).
            connection.failed(this);
        }
    }

    /** Takes over what waits to be written from a failed connect attempt (early bytes and FIN). */
    void takeQueue(RelaySocket from) {
        queue = from.queue;
        queued = from.queued;
        finQueued = from.finQueued;
        from.queue = null;
        from.queued = 0;
        from.finQueued = false;
    }

    private void want(int ops) {
        ops |= ERR;
        if (ops != interest) {
            interest = ops;
            if (registration != null) {
                registration.submit(EpollIoOps.valueOf(ops));
            }
        }
    }

    private int recv(ByteBuf buf) throws IOException {
        int w = buf.writerIndex();
        int n;
        if (buf.hasMemoryAddress()) {
            n = socket.recvAddress(buf.memoryAddress(), w, buf.capacity());
        } else {
            ByteBuffer nio = buf.internalNioBuffer(w, buf.writableBytes());
            n = socket.recv(nio, nio.position(), nio.limit());
        }
        if (n > 0) {
            buf.writerIndex(w + n);
        }
        return n;
    }

    private void send(ByteBuf buf) throws IOException {
        int r = buf.readerIndex();
        int n;
        if (buf.hasMemoryAddress()) {
            n = socket.sendAddress(buf.memoryAddress(), r, buf.writerIndex());
        } else {
            ByteBuffer nio = buf.internalNioBuffer(r, buf.readableBytes());
            n = socket.send(nio, nio.position(), nio.limit());
        }
        if (n > 0) {
            buf.readerIndex(r + n);
        }
    }

    /** Closes with SO_LINGER 0, so the other end gets an RST at once rather than a FIN. */
    void reset() {
        if (!closed) {
            try {
                socket.setSoLinger(0);
            } catch (IOException e) {
                // closing either way
            }
            close();
        }
    }

    /**
     * Closes the socket (a FIN after what the kernel still holds, unless reset) and tells the
     * connection. Also Netty's call when its loop shuts down.
     */
    @Override
    public void close() {
        if (!closed) {
            abandon();
            release();
            connection.closed(this);
        }
    }

    /**
     * Closes the socket of a failed connect attempt; its queue stays for {@link #takeQueue}. Events
     * for it are ignored from now on, but the descriptor itself is closed only once the loop has
     * handled every event of this turn: closed at once, its number could go to a socket opened
     * later in the same turn (the next connect attempt, a new accept), and an event epoll had
     * already reported for the old socket would then reach the new one (a refused connect's
     * EPOLLERR|EPOLLHUP failed the next, healthy connect).
     */
    void abandon() {
        closed = true;
        reading = false;
        IoEventLoop l = loop;
        if (l != null && !l.isShuttingDown()) {
            try {
                l.execute(this::closeDescriptor);
                return;
            } catch (RejectedExecutionException e) {
                // shutting down meanwhile: closed now
            }
        }
        closeDescriptor();
    }

    /**
     * The descriptor first, which takes it out of the epoll set by itself, so the registration's
     * cancel makes no {@code epoll_ctl(DEL)}; both in this call, so the number cannot be reused
     * in between.
     */
    private void closeDescriptor() {
        try {
            socket.close();
        } catch (IOException e) {
            // closed either way
        }
        if (registration != null) {
            registration.cancel();
        }
    }

    /** Drops what waits to be written. */
    void release() {
        if (queue != null) {
            for (ByteBuf b; (b = queue.poll()) != null; ) {
                b.release();
            }
        }
        queued = 0;
        finQueued = false;
    }
}
