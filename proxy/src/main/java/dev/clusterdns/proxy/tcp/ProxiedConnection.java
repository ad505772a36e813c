package dev.clusterdns.proxy.tcp;

import dev.clusterdns.proxy.table.PortMetrics;
import dev.clusterdns.proxy.table.Route;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.socket.SocketProtocolFamily;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One accepted client connection and its endpoint connection on the {@code IoHandle} path: the
 * source range check, the endpoint choice, the connect attempts (the next endpoint on failure, up
 * to four tries with kube-proxy's timeouts, then a reset), and what ends it: a reset on one side is
 * passed on as a reset, an idle connection is closed. The bytes, FINs and backpressure are the
 * {@link RelaySocket}s'. The same rules as the channel path's {@code FrontendHandler} and
 * {@code Relay}. Confined to the accepting event loop.
 */
final class ProxiedConnection {
    private final ListeningSocket listener;
    private final Route route;
    private final PortMetrics metrics;
    /** The client's address; null when nothing needs it (no source ranges, no affinity). */
    private final InetAddress clientAddress;
    private final RelaySocket client;
    private RelaySocket endpoint;
    private IdleSweep.Activity activity;
    private ConnectTimeouts.Pending connectDeadline;
    private int attempt;
    private boolean counted;

    private ProxiedConnection(ListeningSocket listener, Route route, LinuxSocket client, InetAddress clientAddress) {
        this.listener = listener;
        this.route = route;
        this.metrics = route.metrics();
        this.clientAddress = clientAddress;
        this.client = new RelaySocket(this, client, listener.allocator(), metrics.bytesIn());
    }

    /** Serves a socket {@code listener} accepted from {@code clientAddress}. */
    static void start(ListeningSocket listener, Route route, LinuxSocket client, InetAddress clientAddress) {
        new ProxiedConnection(listener, route, client, clientAddress).start();
    }

    private void start() {
        if (!route.allows(clientAddress)) {
            metrics.rejectedSourceRange().inc();
            client.reset();
            return;
        }
        counted = true;
        metrics.connections().inc();
        metrics.active().inc();
        IdleSweep idle = listener.idle();
        activity = idle == null ? IdleSweep.untracked() : idle.track(this::idle);
        try {
            client.socket.setTcpNoDelay(true);
        } catch (IOException e) {
            client.reset();
            return;
        }
        // Reading from the start: what the client sends while the endpoint connects is held (bounded).
        client.register(listener.loop(), false);
        if (!client.isClosed()) {
            connect(0);
        }
    }

    private void connect(int attempt) {
        this.attempt = attempt;
        InetSocketAddress target = route.balancer().pick(clientAddress, attempt > 0);
        if (target == null) {
            metrics.rejectedNoEndpoints().inc();
            dropEndpoint();
            client.reset();
            return;
        }
        LinuxSocket socket;
        try {
            socket = LinuxSocket.newSocketStream(target.getAddress() instanceof Inet4Address
                    ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6);
        } catch (RuntimeException e) {
            // Out of descriptors, typically.
            metrics.connectFailures().inc();
            dropEndpoint();
            client.reset();
            return;
        }
        RelaySocket next = new RelaySocket(this, socket, listener.allocator(), metrics.bytesOut());
        if (endpoint != null) {
            next.takeQueue(endpoint);
        }
        endpoint = next;
        next.peer(client);
        client.peer(next);
        try {
            socket.setTcpNoDelay(true);
            // Connected at once or not, epoll reports the socket writable: connected() follows.
            socket.connect(target);
        } catch (IOException e) {
            connectFailed(next);
            return;
        }
        next.register(listener.loop(), true);
        if (!next.isClosed()) {
            connectDeadline = listener.connectTimeouts().start(() -> connectTimedOut(next), attempt);
        }
    }

    /** The endpoint socket is connected. */
    void connected(RelaySocket socket) {
        doneConnecting();
        socket.connected();
    }

    private void connectTimedOut(RelaySocket socket) {
        connectDeadline = null;
        if (socket == endpoint && socket.isConnecting() && !socket.isClosed()) {
            connectFailed(socket);
        }
    }

    /** The connect of {@code socket} failed (refused, unreachable, timed out): the next endpoint, or a reset. */
    void connectFailed(RelaySocket socket) {
        doneConnecting();
        socket.abandon();
        metrics.connectFailures().inc();
        if (client.isClosed()) {
            socket.release();
            return;
        }
        if (ConnectTimeouts.anotherAttempt(attempt, route.balancer().size())) {
            connect(attempt + 1);
        } else {
            metrics.rejectedNoEndpoints().inc();
            socket.release();
            client.reset();
        }
    }

    private void doneConnecting() {
        if (connectDeadline != null) {
            connectDeadline.done();
            connectDeadline = null;
        }
    }

    /** Releases the endpoint socket's queue (no endpoint will take it). */
    private void dropEndpoint() {
        if (endpoint != null) {
            endpoint.release();
        }
    }

    /** An error on {@code socket} (a reset, typically): it closes, and its peer is reset. */
    void failed(RelaySocket socket) {
        if (socket == endpoint && socket.isConnecting()) {
            connectFailed(socket);
            return;
        }
        socket.close();
        RelaySocket other = socket == client ? endpoint : client;
        if (other != null) {
            other.reset();
        }
    }

    /** Bytes moved either way. */
    void moved() {
        activity.mark();
    }

    private void idle() {
        client.close();
        if (endpoint != null) {
            endpoint.close();
        }
    }

    /** {@code socket} closed. */
    void closed(RelaySocket socket) {
        if (socket == client) {
            if (counted) {
                counted = false;
                metrics.active().dec();
                activity.untrack();
            }
            if (endpoint != null && endpoint.isConnecting()) {
                // Nobody to relay for any more.
                doneConnecting();
                endpoint.close();
            }
        }
    }
}
