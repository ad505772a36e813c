package dev.clusterdns.dns.transport;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * The UDP sockets of one listen address: {@code count} sockets sharing the port with SO_REUSEPORT,
 * so the kernel spreads queries over the event loops, and no socket from outside the group.
 *
 * <p>Linux lets any socket that sets SO_REUSEPORT join a group of the same effective user, and
 * delivers it a share of the datagrams; its bind check only looks at the first socket on the port
 * it meets, and a socket without the option there refuses the newcomer. A UDP client that sets the
 * option (dig does) may even be given the port as its ephemeral source port, and then, connected,
 * it receives its own query. So the group is bound in three steps:
 * <ol>
 * <li>a probe without SO_REUSEPORT: it fails if anything at all holds the address, whatever its
 *     options or user, and then the error names the holder;
 * <li>the group, between two <em>seals</em> (one bound before it, one after, so one of them comes
 *     first in the kernel's list whichever end it adds to);
 * <li>each seal is connected to the listen address itself, so no client's datagram matches it
 *     (only one from its own address and port would) and it is never picked from the group, and
 *     then it drops SO_REUSEPORT, so the port no longer counts as shareable: a newcomer's bind fails
 *     with EADDRINUSE and an ephemeral port is never this one.
 * </ol>
 * The probe and the first seal are microseconds apart. On a wildcard address the seals hold the
 * loopback address (connecting fixes their local address), so a process of the same user can still
 * bind one specific other address on the port with SO_REUSEPORT.
 */
final class UdpSocketGroup {
    /** Binds one serving UDP socket with SO_REUSEPORT on {@code at}. */
    interface Member {
        Closeable bind(InetSocketAddress at) throws IOException;
    }

    private final List<Closeable> members;
    private final List<DatagramChannel> seals;

    private UdpSocketGroup(List<Closeable> members, List<DatagramChannel> seals) {
        this.members = members;
        this.seals = seals;
    }

    /** Binds the group on {@code at} (a fixed port), or throws with nothing left open. */
    static UdpSocketGroup bind(InetSocketAddress at, int count, Member member) throws IOException {
        probe(at);
        List<Closeable> members = new ArrayList<>();
        List<DatagramChannel> seals = new ArrayList<>();
        try {
            seals.add(openSeal(at));
            for (int i = 0; i < count; i++) {
                members.add(member.bind(at));
            }
            seals.add(openSeal(at));
            InetSocketAddress self = new InetSocketAddress(reachable(at.getAddress()), at.getPort());
            for (DatagramChannel seal : seals) {
                try {
                    seal.connect(self);
                    seal.setOption(StandardSocketOptions.SO_REUSEPORT, false);
                } catch (IOException e) {
                    throw ListenError.of(at, "udp", e);
                }
            }
        } catch (IOException | RuntimeException e) {
            // Each member's close waits for its thread: the caller may bind again at once.
            closeAll(members);
            closeAll(seals);
            throw e;
        }
        return new UdpSocketGroup(List.copyOf(members), List.copyOf(seals));
    }

    /** Fails with the listen error when anything holds {@code at}, however it was bound. */
    private static void probe(InetSocketAddress at) throws IOException {
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.bind(at);
        } catch (IOException e) {
            throw ListenError.of(at, "udp", e);
        }
    }

    private static DatagramChannel openSeal(InetSocketAddress at) throws IOException {
        DatagramChannel seal = DatagramChannel.open();
        try {
            seal.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            seal.bind(at);
            return seal;
        } catch (IOException e) {
            seal.close();
            throw ListenError.of(at, "udp", e);
        } catch (RuntimeException e) {
            seal.close();
            throw e;
        }
    }

    /** The address itself, or loopback of its family for a wildcard (connect needs a real peer). */
    private static InetAddress reachable(InetAddress a) throws IOException {
        if (!a.isAnyLocalAddress()) {
            return a;
        }
        return InetAddress.getByName(a instanceof Inet4Address ? "127.0.0.1" : "::1");
    }

    /** Closes the serving sockets (waiting for their threads), then the seals. */
    void close() {
        closeAll(members);
        closeAll(seals);
    }

    private static void closeAll(List<? extends Closeable> channels) {
        for (Closeable c : channels) {
            try {
                c.close();
            } catch (IOException e) {
                // closing: nothing to do
            }
        }
    }
}
