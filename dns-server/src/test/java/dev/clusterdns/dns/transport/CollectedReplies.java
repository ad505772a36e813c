package dev.clusterdns.dns.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * A {@link ReplySink} that keeps each reply message's bytes, for tests that drive {@link QueryHandler}
 * directly. Its buffers come from a pooled allocator and are released here, as the channel would,
 * so a reply written past its buffer or released twice fails the test.
 */
final class CollectedReplies implements ReplySink {
    private final List<byte[]> into;

    CollectedReplies(List<byte[]> into) {
        this.into = into;
    }

    @Override
    public ByteBufAllocator alloc() {
        return PooledByteBufAllocator.DEFAULT;
    }

    @Override
    public synchronized void send(ByteBuf message, InetSocketAddress client, boolean last) {
        try {
            into.add(ByteBufUtil.getBytes(message));
        } finally {
            message.release();
        }
    }
}
