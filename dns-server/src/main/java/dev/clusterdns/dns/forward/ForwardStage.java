package dev.clusterdns.dns.forward;

import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.dns.pipeline.Next;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import dev.clusterdns.dns.pipeline.Stage;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Forwards what no authority answered to upstream servers (CoreDNS `forward`): UDP with a TCP retry
 * on truncation, upstream order by policy, `max_fails` health with `. IN NS` checks, a per-upstream
 * timeout within an overall deadline, a cap on in-flight queries (REFUSED beyond it), SERVFAIL when
 * every upstream fails. Per-domain upstreams (stub domains) win over the default ones. Only clients
 * in the recursion ACL are served (never an open resolver). Loops are detected with a random probe
 * name sent to each upstream before its first use (CoreDNS `loop`): a probe that comes back marks
 * that upstream as looping, is logged, and is answered here instead of being forwarded again.
 */
public final class ForwardStage implements Stage, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ForwardStage.class);

    private final ForwardConfig config;
    private final UpstreamGroup defaults;
    /** Stub domains by name; looked up from the query name upwards. */
    private final Map<Name, UpstreamGroup> stubs;
    private final int stubMaxLabels;
    private final EventLoopGroup group;
    private final boolean ownGroup;
    private final DnsExchange exchange;
    private final ForwardMetrics metrics;
    private final AtomicInteger inflight = new AtomicInteger();
    /** Loop probe names, each sent to one upstream. */
    private final Map<Name, Upstream> probes = new java.util.concurrent.ConcurrentHashMap<>();
    private final AtomicInteger loopsDetected = new AtomicInteger();
    private final SecureRandom random = new SecureRandom();

    public ForwardStage(ForwardConfig config, PrometheusRegistry registry) {
        this(config, registry, new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("dns-forward", true),
                NioIoHandler.newFactory()), true);
    }

    ForwardStage(ForwardConfig config, PrometheusRegistry registry, EventLoopGroup group, boolean ownGroup) {
        this.config = config;
        this.group = group;
        this.ownGroup = ownGroup;
        this.exchange = new DnsExchange(group);
        this.metrics = new ForwardMetrics(registry);
        Map<InetSocketAddress, Upstream> shared = new LinkedHashMap<>();
        this.defaults = new UpstreamGroup(upstreams(config.upstreams(), shared), config.policy());
        Map<Name, UpstreamGroup> s = new HashMap<>();
        int max = 0;
        for (Map.Entry<Name, List<InetSocketAddress>> e : config.stubDomains().entrySet()) {
            s.put(e.getKey(), new UpstreamGroup(upstreams(e.getValue(), shared), config.policy()));
            max = Math.max(max, e.getKey().labels());
        }
        this.stubs = Map.copyOf(s);
        this.stubMaxLabels = max;
    }

    /** Builds the upstream list, dropping our own listen addresses (forwarding to ourselves is a loop). */
    private List<Upstream> upstreams(List<InetSocketAddress> addresses, Map<InetSocketAddress, Upstream> shared) {
        List<Upstream> out = new ArrayList<>();
        for (InetSocketAddress a : addresses) {
            if (isOwnAddress(a, config.ownAddresses())) {
                LOG.error("not forwarding to {}: it is one of our own DNS listen addresses (that would be a forwarding loop)", a);
                continue;
            }
            out.add(shared.computeIfAbsent(a, x -> new Upstream(x, config.maxFails())));
        }
        return out;
    }

    /** True when {@code upstream} is one of {@code own}, a wildcard listener on a local address included. */
    static boolean isOwnAddress(InetSocketAddress upstream, Set<InetSocketAddress> own) {
        for (InetSocketAddress l : own) {
            if (l.getPort() != upstream.getPort()) {
                continue;
            }
            InetAddress la = l.getAddress();
            InetAddress ua = upstream.getAddress();
            if (la == null || ua == null || la.equals(ua)) {
                return true;
            }
            if (la.isAnyLocalAddress() && isLocal(ua)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isLocal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress()) {
            return true;
        }
        try {
            return NetworkInterface.getByInetAddress(a) != null;
        } catch (SocketException e) {
            return false;
        }
    }

    @Override
    public String name() {
        return "forward";
    }

    public ForwardConfig config() {
        return config;
    }

    /** How many loop probes came back (each is one detected forwarding loop). */
    public int loopsDetected() {
        return loopsDetected.get();
    }

    @Override
    public CompletionStage<Reply> serve(Query query, Next next) {
        if (query.name() == null || query.type() == Type.AXFR || query.type() == Type.IXFR) {
            // Zone transfers are answered by the zone's own stage or not at all; never proxied.
            return next.serve(query);
        }
        UpstreamGroup upstreams = groupFor(query.name());
        if (upstreams == null || upstreams.isEmpty()) {
            return next.serve(query);
        }
        if (!recursionAllowed(query)) {
            return done(Reply.error(query, Rcode.REFUSED));
        }
        if (query.type() == Type.HINFO) {
            Upstream looped = probes.get(query.name());
            if (looped != null) {
                loopDetected(looped);
                return done(Reply.error(query, Rcode.SERVFAIL));
            }
        }
        if (inflight.incrementAndGet() > config.maxConcurrent()) {
            inflight.decrementAndGet();
            metrics.concurrentRejects.inc();
            return done(Reply.error(query, Rcode.REFUSED));
        }
        CompletableFuture<Reply> result = new CompletableFuture<>();
        long deadline = System.nanoTime() + config.deadline().toNanos();
        attempt(query, upstreams.order(), 0, deadline, result);
        return result.whenComplete((r, e) -> inflight.decrementAndGet());
    }

    private UpstreamGroup groupFor(Name name) {
        if (!stubs.isEmpty()) {
            int labels = name.labels();
            for (int l = Math.min(labels, stubMaxLabels); l >= 2; l--) {
                UpstreamGroup g = stubs.get(l == labels ? name : new Name(name, labels - l));
                if (g != null) {
                    return g;
                }
            }
        }
        return defaults;
    }

    private boolean recursionAllowed(Query query) {
        return Cidr.anyContains(config.allowRecursion(), query.client() == null ? null : query.client().getAddress());
    }

    private void attempt(Query query, List<Upstream> order, int index, long deadline, CompletableFuture<Reply> result) {
        long left = deadline - System.nanoTime();
        if (index >= order.size() || left <= 0) {
            Message failed = Reply.error(query, Rcode.SERVFAIL).message();
            failed.getHeader().setFlag(Flags.RA);
            result.complete(Reply.of(failed));
            return;
        }
        Upstream upstream = order.get(index);
        if (upstream.probed.compareAndSet(false, true)) {
            probe(upstream);
        }
        Duration timeout = Duration.ofNanos(Math.min(config.timeout().toNanos(), left));
        metrics.requests.labelValues(upstream.label()).inc();
        exchange.send(upstream.address(), query.message(), false, timeout)
                .thenCompose(reply -> reply.getHeader().getFlag(Flags.TC)
                        ? exchange.send(upstream.address(), query.message(), true, timeout)
                        : CompletableFuture.completedFuture(reply))
                .whenComplete((reply, error) -> {
                    if (error == null) {
                        upstream.succeeded();
                        metrics.responses.labelValues(upstream.label(), Rcode.string(reply.getRcode())).inc();
                        try {
                            result.complete(Reply.of(clean(reply)));
                        } catch (RuntimeException e) {
                            // Never leave the client waiting: whenComplete would swallow this.
                            result.completeExceptionally(e);
                        }
                        return;
                    }
                    metrics.errors.labelValues(upstream.label()).inc();
                    LOG.debug("forward {} {} to {} failed: {}", query.name(), Type.string(query.type()), upstream, error.toString());
                    if (upstream.failed()) {
                        LOG.warn("upstream {} marked unhealthy after {} failures ({}); health-checking it",
                                upstream, config.maxFails(), rootCause(error));
                        healthCheck(upstream);
                    }
                    attempt(query, order, index + 1, deadline, result);
                });
    }

    private static String rootCause(Throwable t) {
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }

    /**
     * The upstream's reply as ours: AA cleared and RA set (we answer as a recursive resolver, not as
     * the zone's authority, as dnsmasq and Unbound do), without its OPT record (the transport writes
     * our own).
     */
    private static Message clean(Message reply) {
        reply.getHeader().unsetFlag(Flags.AA);
        reply.getHeader().setFlag(Flags.RA);
        List<Record> drop = new ArrayList<>(1);
        for (Record r : reply.getSection(Section.ADDITIONAL)) {
            if (r.getType() == Type.OPT || r.getType() == Type.TSIG) {
                drop.add(r);
            }
        }
        for (Record r : drop) {
            reply.removeRecord(r, Section.ADDITIONAL);
        }
        return reply;
    }

    /** Probes `. IN NS` every interval until the upstream answers anything. */
    private void healthCheck(Upstream upstream) {
        if (!upstream.checking.compareAndSet(false, true)) {
            return;
        }
        Message probe = Message.newQuery(Record.newRecord(Name.root, Type.NS, DClass.IN));
        Runnable[] check = new Runnable[1];
        check[0] = () -> exchange.send(upstream.address(), probe, false, config.timeout()).whenComplete((m, e) -> {
            if (e == null) {
                upstream.succeeded();
                upstream.checking.set(false);
                LOG.info("upstream {} is healthy again", upstream);
            } else if (!group.isShuttingDown()) {
                metrics.healthcheckFailures.labelValues(upstream.label()).inc();
                group.schedule(check[0], config.healthCheckInterval().toMillis(), TimeUnit.MILLISECONDS);
            }
        });
        group.schedule(check[0], config.healthCheckInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Sends the loop probe to every default upstream now (tests; normal operation probes on first use). */
    public void probeForLoops() {
        for (Upstream u : defaults.upstreams()) {
            if (u.probed.compareAndSet(false, true)) {
                probe(u);
            }
        }
    }

    /**
     * Sends `HINFO <random>.<random>.` to one upstream, just before its first use (so an unused
     * upstream never sees traffic from us). If that upstream forwards it back to us, it arrives here
     * again, where it is recognised, logged and answered without being forwarded.
     */
    private void probe(Upstream u) {
        Name name;
        try {
            name = Name.fromString(Long.toUnsignedString(random.nextLong(), 36) + "." + Long.toUnsignedString(random.nextLong(), 36) + ".");
        } catch (TextParseException e) {
            throw new IllegalStateException(e);
        }
        probes.put(name, u);
        Message q = Message.newQuery(Record.newRecord(name, Type.HINFO, DClass.IN));
        exchange.send(u.address(), q, false, config.timeout());
    }

    private void loopDetected(Upstream upstream) {
        if (!upstream.looping) {
            upstream.looping = true;
            loopsDetected.incrementAndGet();
            LOG.error("forwarding loop detected: our probe query came back from upstream {}; it forwards to us "
                    + "(for example systemd-resolved's 127.0.0.53 or our own address in resolv.conf). "
                    + "No longer forwarding to it; set --upstream to a real resolver.", upstream);
        }
    }

    private static CompletionStage<Reply> done(Reply r) {
        return CompletableFuture.completedFuture(r);
    }

    @Override
    public void close() {
        if (ownGroup) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }
}
