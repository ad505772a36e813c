import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;

/**
 * Netty's floor for bench/dns.sh: a UDP echo on the DNS listener's Netty set-up (epoll, an AF_INET
 * socket with SO_REUSEPORT, recvmmsg of up to 16 datagrams of 4 KB, a 4 MB receive buffer, replies
 * written during a read burst and flushed once at its end), with no DNS work at all: each datagram's
 * buffer goes straight back out to its sender. What it spends per datagram above the C echo
 * (udp_echo.c) is Netty's per-datagram path, the part of clusterdns's CPU that DNS code cannot cut.
 *
 *   java -cp cli/target/clusterdns.jar bench/NettyUdpEcho.java PORT
 */
public final class NettyUdpEcho {
    private static final int MAX_DATAGRAM = 4096;

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("dns", true),
                EpollIoHandler.newFactory());
        new Bootstrap().group(group)
                .channelFactory(() -> new EpollDatagramChannel(SocketProtocolFamily.INET))
                .option(EpollChannelOption.SO_REUSEPORT, true)
                .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM * 16))
                .option(ChannelOption.SO_RCVBUF, 4 << 20)
                .handler(new Echo())
                .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel().closeFuture().sync();
    }

    @ChannelHandler.Sharable
    static final class Echo extends ChannelInboundHandlerAdapter {
        private boolean unflushed;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket in = (DatagramPacket) msg;
            ctx.write(new DatagramPacket(in.content(), in.sender()), ctx.voidPromise());
            unflushed = true;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (unflushed) {
                unflushed = false;
                ctx.flush();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        }
    }
}
