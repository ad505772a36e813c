package dev.clusterdns.proxy.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.NotYetConnectedException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link HalfClose} on real epoll sockets. */
class HalfCloseTest {
    /**
     * A FIN sent to a socket the peer has just reset (before the loop saw the reset) fails the
     * returned future; nothing is thrown at the caller (a listener, where Netty would log it).
     */
    @Test
    void finToAResetSocketFailsTheFutureInsteadOfThrowing() throws Exception {
        Transport transport = Transport.start(1, true);
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assumeTrue(transport.name().equals("epoll"), "native epoll is not available here");
            EventLoop loop = transport.loops().get(0);
            SocketChannel ch = transport.newSocketChannel(InetAddress.getLoopbackAddress());
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter());
            loop.register(ch).sync();
            ch.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort())).sync();
            Socket accepted = server.accept();
            // On the loop, so it cannot handle the reset in between: the RST is delivered to the
            // channel's socket within the close call (loopback), and the FIN follows it.
            ChannelFuture fin = loop.submit(() -> {
                accepted.setSoLinger(true, 0);
                accepted.close();
                return HalfClose.shutdownOutput(ch);
            }).get(10, TimeUnit.SECONDS);
            assertTrue(fin.isDone());
            assertFalse(fin.isSuccess());
            assertInstanceOf(NotYetConnectedException.class, fin.cause());
            ch.close().sync();
        } finally {
            transport.close();
        }
    }
}
