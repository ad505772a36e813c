package dev.clusterdns.dns.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At most {@code max} open DNS TCP connections per client address (`--dns-tcp-per-client`); one more is
 * closed as soon as it is accepted, so one address cannot hold every connection and starve the
 * others. Shared by every TCP listener.
 */
@ChannelHandler.Sharable
final class TcpClientCap extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(TcpClientCap.class);
    private static final AttributeKey<InetAddress> COUNTED = AttributeKey.valueOf("dns-tcp-counted");

    private final int max;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();
    private final AtomicInteger refused = new AtomicInteger();

    TcpClientCap(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("--dns-tcp-per-client must be at least 1, not " + max);
        }
        this.max = max;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        InetAddress client = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
        AtomicInteger n = open.computeIfAbsent(client, k -> new AtomicInteger());
        if (n.incrementAndGet() > max) {
            n.decrementAndGet();
            if (refused.getAndIncrement() % 1000 == 0) {
                LOG.warn("DNS TCP: {} already has {} connections open; closing new ones (logged every 1000)", client, max);
            }
            ctx.close();
            return;
        }
        ctx.channel().attr(COUNTED).set(client);
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        InetAddress client = ctx.channel().attr(COUNTED).getAndSet(null);
        if (client != null) {
            open.computeIfPresent(client, (k, n) -> n.decrementAndGet() == 0 ? null : n);
        }
        super.channelInactive(ctx);
    }
}
