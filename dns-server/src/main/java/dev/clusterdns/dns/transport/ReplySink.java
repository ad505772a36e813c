package dev.clusterdns.dns.transport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * Where a query's reply messages go: the UDP socket's or the TCP connection's handler itself, so
 * handing a reply over allocates nothing per query. May be called on another thread than the
 * reading one (replies that complete later, such as forwarded ones).
 */
interface ReplySink {

    /** The allocator reply buffers come from (the channel's, pooled). */
    ByteBufAllocator alloc();

    /**
     * A buffer for one reply message of exactly {@code size} bytes, handed back through {@link #send}
     * (or released on an error path). A sink may lend the same reused buffer to each reply made on
     * its own thread.
     */
    default ByteBuf buffer(int size) {
        return alloc().ioBuffer(size, size);
    }

    /**
     * One reply message to {@code client}; the sink takes ownership of {@code message}. {@code last}
     * is true for the query's final message (for everything but a TCP stream, the only one).
     */
    void send(ByteBuf message, InetSocketAddress client, boolean last);
}
