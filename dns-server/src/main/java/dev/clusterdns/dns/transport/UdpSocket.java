package dev.clusterdns.dns.transport;

import dev.clusterdns.dns.pipeline.QueryProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One UDP socket of a listen address and the thread that serves it: a blocking JDK
 * {@link DatagramChannel}, one datagram received, answered and sent at a time (one recvfrom and one
 * sendto per query, as NSD does). Netty's epoll datagram channel cost about 1.5 µs of user CPU per
 * datagram before any DNS work, as much as NSD spent on a whole query (a sender address, a slice,
 * packet objects and an outbound-buffer entry per datagram, a pooled reply buffer); this path costs
 * about half that, and reuses one receive buffer, one receive array and one reply buffer.
 *
 * <p>It is the queries' {@link ReplySink}: a reply made on the serving thread is written into the
 * reused reply buffer and sent at once; a reply completed later on another thread (forwarding) gets
 * a buffer of its own. The channel allows a send from another thread while the serving thread waits
 * in receive. Closing the channel wakes the thread, which then ends.
 */
final class UdpSocket implements ReplySink, Closeable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpSocket.class);
    /** The largest reply message (TCP's limit; UDP replies stay within the client's size). */
    private static final int MAX_REPLY = 65535;

    private final DatagramChannel channel;
    private final QueryHandler queries;
    private final int maxDatagram;
    private final Thread thread;
    /** The reply buffer of the serving thread: its refcount stays at one, {@link #send} gives back each loan. */
    private final ByteBuffer replyBytes = ByteBuffer.allocateDirect(MAX_REPLY);
    private final ByteBuf reply = Unpooled.wrappedBuffer(replyBytes);

    private UdpSocket(DatagramChannel channel, QueryHandler queries, int maxDatagram, DefaultThreadFactory threads) {
        this.channel = channel;
        this.queries = queries;
        this.maxDatagram = maxDatagram;
        this.thread = threads.newThread(this::serve);
    }

    /**
     * A socket bound on {@code at} with SO_REUSEPORT (of the address's family: an AF_INET socket for
     * IPv4) and its serving thread, started; datagrams above {@code maxDatagram} bytes are cut there.
     */
    static UdpSocket bind(InetSocketAddress at, QueryHandler queries, int maxDatagram, int receiveBuffer,
            DefaultThreadFactory threads) throws IOException {
        DatagramChannel channel = DatagramChannel.open(
                at.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        try {
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            channel.setOption(StandardSocketOptions.SO_RCVBUF, receiveBuffer);
            channel.bind(at);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        UdpSocket socket = new UdpSocket(channel, queries, maxDatagram, threads);
        socket.thread.start();
        return socket;
    }

    private void serve() {
        ByteBuffer in = ByteBuffer.allocateDirect(maxDatagram);
        // Every datagram is read into this one array: a query answered on this thread reads it in
        // place, one answered later gets a copy from the handler (no array per datagram).
        byte[] wire = new byte[maxDatagram];
        while (channel.isOpen()) {
            InetSocketAddress client;
            int length;
            try {
                in.clear();
                client = (InetSocketAddress) channel.receive(in);
                in.flip();
                length = in.remaining();
                in.get(wire, 0, length);
            } catch (ClosedChannelException closed) {
                return; // closed, possibly while waiting (AsynchronousCloseException)
            } catch (IOException e) {
                LOG.debug("UDP receive on {} failed", channel, e);
                continue;
            }
            try {
                queries.handle(wire, length, client, QueryProtocol.UDP, this);
            } catch (RuntimeException | Error e) {
                // QueryHandler never throws by contract; if it does (a bug, a stack overflow on a
                // pathological query), this query is lost, not the socket's share of the traffic.
                LOG.warn("query from {} failed", client, e);
            }
        }
    }

    @Override
    public ByteBufAllocator alloc() {
        return ByteBufAllocator.DEFAULT;
    }

    @Override
    public ByteBuf buffer(int size) {
        if (Thread.currentThread() == thread && reply.refCnt() == 1 && size <= MAX_REPLY) {
            return reply.clear().retain(); // lent until send (or a release on an error path)
        }
        return ReplySink.super.buffer(size);
    }

    @Override
    public void send(ByteBuf message, InetSocketAddress client, boolean last) {
        try {
            ByteBuffer bytes;
            if (message == reply) {
                bytes = replyBytes.limit(reply.writerIndex()).position(reply.readerIndex());
            } else {
                bytes = message.nioBuffer();
            }
            channel.send(bytes, client);
        } catch (ClosedChannelException closed) {
            // shutting down: the reply is dropped, as a datagram may be
        } catch (IOException | RuntimeException e) {
            LOG.debug("UDP reply to {} not sent", client, e);
        } finally {
            message.release();
        }
    }

    /** Closes the socket, which ends its thread, and waits briefly for that. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            // closing: nothing to do
        }
        if (Thread.currentThread() != thread) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
