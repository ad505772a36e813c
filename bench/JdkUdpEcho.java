import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * The JDK's floor for bench/dns.sh: a UDP echo on a blocking java.nio DatagramChannel (AF_INET,
 * SO_REUSEPORT, a 4 MB receive buffer), one thread, one direct buffer reused: receive, then send the
 * same bytes back to the sender. One recvfrom and one sendto per datagram, as NSD does.
 *
 *   java bench/JdkUdpEcho.java PORT
 */
public final class JdkUdpEcho {
    public static void main(String[] args) throws Exception {
        DatagramChannel ch = DatagramChannel.open(java.net.StandardProtocolFamily.INET);
        ch.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        ch.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
        ch.bind(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[0])));
        ByteBuffer buf = ByteBuffer.allocateDirect(4096);
        while (true) {
            buf.clear();
            SocketAddress from = ch.receive(buf);
            buf.flip();
            ch.send(buf, from);
        }
    }
}
