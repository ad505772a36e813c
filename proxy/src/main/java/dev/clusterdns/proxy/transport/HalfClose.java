package dev.clusterdns.proxy.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.Socket;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.NotYetConnectedException;

/**
 * What a relayed half-close (and a cheap close) needs from the socket channels beyond Netty's
 * public API, on epoll.
 *
 * <p>Netty 4.2.18's epoll transport deletes a socket from the epoll set once its interest set is
 * empty (the peer's FIN handled, so no EPOLLIN/EPOLLRDHUP, and nothing queued, so no EPOLLOUT), but
 * still believes it is registered: the next write that blocks asks {@code epoll_ctl(MOD, EPOLLOUT)},
 * gets ENOENT, and the channel closes with the reply's tail unsent (netty/netty#16689 added the
 * delete). {@link #keepRegistered} puts EPOLLERR in the interest set before the channel is
 * registered. The kernel reports EPOLLERR (and EPOLLHUP) whether asked for or not, so the events
 * seen are the same; the set is just never empty, and the descriptor stays in epoll until closed.
 */
public final class HalfClose {
    private HalfClose() {
    }

    /**
     * {@code AbstractEpollChannel.setFlag(int)}, {@code clearFlag(int)} and {@code isFlagSet(int)}:
     * package-private in Netty, reached once by lookup.
     */
    private static final class EpollFlags {
        static final MethodHandle SET_FLAG = lookup("setFlag", void.class);
        static final MethodHandle CLEAR_FLAG = lookup("clearFlag", void.class);
        static final MethodHandle IS_FLAG_SET = lookup("isFlagSet", boolean.class);
        static final int EPOLLERR = EpollIoOps.EPOLLERR.value();
        static final int EPOLLERR_IN = EpollIoOps.EPOLLERR.value() | EpollIoOps.EPOLLIN.value();
        static final int EPOLLIN = EpollIoOps.EPOLLIN.value();
        static final int EPOLLRDHUP = EpollIoOps.EPOLLRDHUP.value();

        private static MethodHandle lookup(String name, Class<?> returns) {
            try {
                Class<?> c = Class.forName("io.netty.channel.epoll.AbstractEpollChannel");
                MethodHandles.Lookup l = MethodHandles.privateLookupIn(c, MethodHandles.lookup());
                return l.findVirtual(c, name, MethodType.methodType(returns, int.class))
                        .asType(MethodType.methodType(returns, Channel.class, int.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                return null;
            }
        }
    }

    /** Whether {@link #keepRegistered} can work with this Netty; epoll is only used when it can. */
    public static boolean epollSupported() {
        return EpollFlags.SET_FLAG != null && EpollFlags.CLEAR_FLAG != null && EpollFlags.IS_FLAG_SET != null;
    }

    /**
     * Keeps an epoll socket channel in the epoll set until it is closed (see the class comment).
     * Call before the channel is registered: then it costs no system call. No-op for NIO.
     *
     * @param reading the channel will read from the start (auto-read on): EPOLLIN goes into the
     *     first {@code epoll_ctl(ADD)} too, instead of a {@code MOD} of its own right after
     */
    public static void keepRegistered(Channel ch, boolean reading) {
        if (ch instanceof EpollSocketChannel) {
            try {
                EpollFlags.SET_FLAG.invokeExact(ch, reading ? EpollFlags.EPOLLERR_IN : EpollFlags.EPOLLERR);
            } catch (Throwable e) {
                throw new IllegalStateException("cannot keep " + ch + " in the epoll set", e);
            }
        }
    }

    /**
     * The peer's FIN has been read from {@code ch} (call it from the {@code ChannelInputShutdownEvent}):
     * stops asking epoll for input with one {@code epoll_ctl(MOD)}. Netty would take two: one to drop
     * EPOLLRDHUP, and, as epoll is level-triggered and a socket at end of stream stays readable, one
     * more to drop EPOLLIN after one more wakeup for it. Nothing is left to read; errors and hang-ups
     * are still reported. No-op for NIO.
     */
    public static void inputEnded(Channel ch) {
        if (ch instanceof EpollSocketChannel && ch.isRegistered()) {
            try {
                int clear = 0;
                if ((boolean) EpollFlags.IS_FLAG_SET.invokeExact(ch, EpollFlags.EPOLLIN)) {
                    clear |= EpollFlags.EPOLLIN;
                }
                if ((boolean) EpollFlags.IS_FLAG_SET.invokeExact(ch, EpollFlags.EPOLLRDHUP)) {
                    clear |= EpollFlags.EPOLLRDHUP;
                }
                if (clear != 0) {
                    EpollFlags.CLEAR_FLAG.invokeExact(ch, clear);
                }
            } catch (Throwable e) {
                // Netty clears them itself then.
            }
        }
    }

    /**
     * Closes {@code ch} as {@link Channel#close()} does, with two system calls fewer on epoll: the
     * descriptor is closed first, which takes it out of the epoll set by itself, and Netty, finding it
     * closed, skips its {@code getsockopt(SO_LINGER)} and its {@code epoll_ctl(DEL)}. Netty drops
     * its registration in the same call on the same thread, so the descriptor number cannot be
     * handed out again before that. Call on the channel's event loop, once everything written has
     * been flushed (as for a plain close); never with a positive SO_LINGER (the close would block).
     */
    public static void close(Channel ch) {
        if (ch instanceof EpollSocketChannel epoll && epoll.isOpen() && ch.isRegistered() && ch.eventLoop().inEventLoop()) {
            try {
                epoll.fd().close();
            } catch (IOException e) {
                // Netty's close reports nothing either; it closes what is left.
            }
        }
        ch.close();
    }

    /**
     * Sends FIN on {@code ch}. Call only once every write to it has been flushed. On epoll this shuts
     * the socket down directly: Netty's {@code shutdownOutput()} builds an exception with a stack
     * trace for every call (to fail writes queued after it, which a relay never has). A socket the
     * peer has reset fails the future with a {@link NotYetConnectedException} (the kernel's
     * ENOTCONN, which Netty throws unchecked), as every other failure does: it is never thrown.
     */
    public static ChannelFuture shutdownOutput(DuplexChannel ch) {
        if (ch instanceof EpollSocketChannel epoll) {
            try {
                ((Socket) epoll.fd()).shutdown(false, true);
                return ch.newSucceededFuture();
            } catch (IOException | NotYetConnectedException e) {
                return ch.newFailedFuture(e);
            }
        }
        return ch.shutdownOutput();
    }
}
