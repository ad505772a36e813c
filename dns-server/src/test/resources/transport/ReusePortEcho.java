import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/**
 * A UDP echo that binds with SO_REUSEPORT, run as its own process by PortSharingTest: what would
 * silently take a share of a DNS server's datagrams. Prints its port, then echoes until killed.
 */
public class ReusePortEcho {
    public static void main(String[] args) throws Exception {
        DatagramChannel c = DatagramChannel.open();
        c.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        c.bind(new InetSocketAddress(args[0], Integer.parseInt(args[1])));
        System.out.println(((InetSocketAddress) c.getLocalAddress()).getPort());
        System.out.flush();
        ByteBuffer b = ByteBuffer.allocate(4096);
        while (true) {
            b.clear();
            var from = c.receive(b);
            b.flip();
            c.send(b, from);
        }
    }
}
