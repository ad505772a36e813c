// The floor of a TCP relay on Netty's public API, for bench/proxy_conn.sh (FLOOR=1): what a proxy
// built on Netty costs per connection with nothing of its own (no table, metrics, idle timers,
// half-close, retries). One epoll event loop, AF_INET sockets, pooled direct buffers, the backend
// connected on the client's loop, bytes relayed with void promises and one flush per read batch,
// both sides closed on the first EOF. Not part of clusterdns; run as a single source file:
//   java -cp cli/target/clusterdns.jar bench/netty_floor/NettyFloor.java LISTEN_IP LISTEN_PORT BACKEND_IP BACKEND_PORT
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;

public final class NettyFloor {
    public static void main(String[] args) throws Exception {
        InetSocketAddress listen = new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1]));
        InetSocketAddress backend = new InetSocketAddress(InetAddress.getByName(args[2]), Integer.parseInt(args[3]));
        // The thread name starts as clusterdns's ("clusterdns-prox" in /proc), so proxy_conn.sh finds it.
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
                new DefaultThreadFactory("clusterdns-proxy-io-floor", true), EpollIoHandler.newFactory());
        new ServerBootstrap().group(group, group)
                .channelFactory(() -> new EpollServerSocketChannel(SocketProtocolFamily.INET))
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(new Front(backend))
                .bind(listen).sync();
        System.out.println("listening on " + listen);
        Thread.currentThread().join();
    }

    @io.netty.channel.ChannelHandler.Sharable
    static final class Front extends ChannelInboundHandlerAdapter {
        private final InetSocketAddress backend;

        Front(InetSocketAddress backend) {
            this.backend = backend;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel in = ctx.channel();
            EpollSocketChannel out = new EpollSocketChannel(SocketProtocolFamily.INET);
            out.config().setAllocator(PooledByteBufAllocator.DEFAULT);
            // No connect timer per connection (clusterdns keeps its deadlines per loop).
            out.config().setConnectTimeoutMillis(0);
            out.pipeline().addLast(new Pipe(in));
            in.eventLoop().register(out).addListener((ChannelFuture r) -> {
                if (!r.isSuccess()) {
                    in.close();
                    return;
                }
                out.connect(backend).addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                        in.close();
                        return;
                    }
                    in.pipeline().replace(this, "pipe", new Pipe(out));
                    in.config().setAutoRead(true);
                });
            });
        }
    }

    /** Copies what this channel reads to {@code peer}; closes the peer (after its queue) on EOF or error. */
    static final class Pipe extends ChannelInboundHandlerAdapter {
        private final Channel peer;

        Pipe(Channel peer) {
            this.peer = peer;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            peer.write(msg, peer.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            peer.flush();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (peer.isActive()) {
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
