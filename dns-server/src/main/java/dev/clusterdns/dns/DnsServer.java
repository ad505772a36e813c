package dev.clusterdns.dns;

import dev.clusterdns.dns.pipeline.Pipeline;
import dev.clusterdns.dns.transport.DnsMetrics;
import dev.clusterdns.dns.transport.Listeners;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * The DNS server: UDP and TCP listeners on every configured address feeding one {@link Pipeline}.
 * Start it with {@link #start}; {@link #close} stops the listeners and their threads.
 */
public final class DnsServer implements AutoCloseable {

    /**
     * @param listen addresses to serve (UDP and TCP on each); port 0 picks a free port
     * @param sockets UDP sockets per address (SO_REUSEPORT) and event-loop threads
     * @param ednsSize the UDP payload size we advertise and honour at most (RFC 6891; 1232 by default)
     * @param tcpIdle how long an idle TCP connection stays open (RFC 7766)
     * @param logQueries one line per query in CoreDNS's `log` format (`--log-queries`)
     * @param limits what one client may take (rate of UDP replies, TCP connections)
     */
    public record Config(List<InetSocketAddress> listen, int sockets, int ednsSize, Duration tcpIdle, boolean logQueries,
            Limits limits) {
        public static final int DEFAULT_EDNS_SIZE = 1232;
        public static final Duration DEFAULT_TCP_IDLE = Duration.ofSeconds(10);

        public Config {
            listen = List.copyOf(listen);
            if (listen.isEmpty()) {
                throw new IllegalArgumentException("no DNS listen address");
            }
            if (sockets < 1) {
                throw new IllegalArgumentException("--dns-sockets must be at least 1, not " + sockets);
            }
            if (ednsSize < 512 || ednsSize > 65535) {
                throw new IllegalArgumentException("--edns-size must be between 512 and 65535, not " + ednsSize);
            }
        }

        /** One UDP socket and event loop per core, at most 4 (more buys nothing on one NIC queue). */
        public Config(List<InetSocketAddress> listen, int sockets, int ednsSize, Duration tcpIdle) {
            this(listen, sockets, ednsSize, tcpIdle, false, Limits.DEFAULTS);
        }

        public static int defaultSockets() {
            return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
        }

        public static Config of(List<InetSocketAddress> listen) {
            return new Config(listen, defaultSockets(), DEFAULT_EDNS_SIZE, DEFAULT_TCP_IDLE);
        }
    }

    /**
     * Per-client limits, so that one client cannot take what others need.
     *
     * @param rrlRate UDP replies per second per /24 (IPv4) or /56 (IPv6) network; 0 = no limit
     *     (`--rrl-rate`, off by default as in CoreDNS)
     * @param rrlSlip every slip-th reply over the rate is sent empty with TC=1 (the client retries over
     *     TCP), the others are dropped; 0 drops them all (`--rrl-slip`, 2 as NSD)
     * @param tcpPerClient open TCP connections per client address (`--dns-tcp-per-client`)
     */
    public record Limits(int rrlRate, int rrlSlip, int tcpPerClient) {
        public static final int DEFAULT_SLIP = 2;
        public static final int DEFAULT_TCP_PER_CLIENT = 100;
        public static final Limits DEFAULTS = new Limits(0, DEFAULT_SLIP, DEFAULT_TCP_PER_CLIENT);

        public Limits {
            if (rrlRate < 0) {
                throw new IllegalArgumentException("--rrl-rate must be >= 0 replies per second (0 = off), not " + rrlRate);
            }
            if (rrlSlip < 0) {
                throw new IllegalArgumentException("--rrl-slip must be >= 0, not " + rrlSlip);
            }
            if (tcpPerClient < 1) {
                throw new IllegalArgumentException("--dns-tcp-per-client must be at least 1, not " + tcpPerClient);
            }
        }
    }

    private final Listeners listeners;

    private DnsServer(Listeners listeners) {
        this.listeners = listeners;
    }

    /**
     * Binds every address (UDP and TCP) and starts serving. Throws {@link java.net.BindException} with
     * the address in the message when one cannot be bound; nothing stays open then.
     */
    public static DnsServer start(Config config, Pipeline pipeline, DnsMetrics metrics) throws java.io.IOException {
        return new DnsServer(Listeners.bind(config, pipeline, metrics));
    }

    /** The addresses actually bound (ports resolved when 0 was asked), in configuration order. */
    public List<InetSocketAddress> addresses() {
        return listeners.addresses();
    }

    /** "epoll" or "nio". */
    public String transportName() {
        return listeners.transportName();
    }

    @Override
    public void close() {
        listeners.close();
    }
}
