package dev.clusterdns.agent.allocation;

import dev.clusterdns.agent.AgentConfig;
import dev.clusterdns.agent.allocation.AllocationState.Holder;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServiceSpec;
import dev.clusterdns.agent.validation.FieldError;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives Services their ClusterIPs, NodePorts, health-check NodePorts and LoadBalancer ingress IPs,
 * as kube-apiserver's allocators (and a LoadBalancer controller) would, and remembers them across
 * restarts.
 *
 * <p>Each {@link #reconcile} recomputes the allocation from scratch in three passes, each in age
 * order (oldest first): (1) every Service re-takes what it held before, where its spec still agrees;
 * (2) explicit requests (`clusterIP(s)`, `nodePort`, `healthCheckNodePort`, `loadBalancerIP`);
 * (3) dynamic allocation. A Service can therefore never take what another already holds, and of two
 * newcomers asking for the same thing the older wins. A Service that cannot get everything it needs
 * gets nothing new (it keeps only what it already held) and is reported as rejected.
 */
public final class ServiceAllocator {
    private static final int MAX_PARSED_TIMES = 100_000;
    private static final Logger log = LoggerFactory.getLogger(ServiceAllocator.class);

    private final ClusterIpPool clusterIps;
    private final NodePortPool nodePorts;
    private final LoadBalancerPool loadBalancers;
    private final StateFile stateFile;
    private final RandomGenerator random;
    private final Clock clock;
    /** What every Service holds (as persisted), changed in place Service by Service. */
    private final Map<String, Holder> holders;
    /** The sequence number the next newly seen Service gets. */
    private long nextSequence;
    /** The last save failed: retry on the next reconcile even without a change. */
    private boolean unsaved;
    private Instant lastStamp = Instant.EPOCH;
    /** The text of {@link #lastStampShared}, shared by every Service first seen at that instant. */
    private String lastStampText;
    private Instant lastStampShared;
    private final Map<String, Instant> parsedTimes = new HashMap<>();
    /**
     * An apply has run: from then on {@link #holders} names exactly the Services given so far, and
     * what each holds is claimed in the pools (before, it is only what the state file remembers).
     * The holder is all a later apply needs to free a Service's claims, so nothing else of an apply
     * is kept per Service.
     */
    private boolean given;
    /**
     * NodePorts held by Service ports without a port number (which the state does not record), so
     * they are freed with the rest; empty unless such Services were given.
     */
    private final Map<String, int[]> unrecordedNodePorts = new HashMap<>();
    /** Services that could not get everything, as given: tried again on every {@link #apply}. */
    private final Map<String, Service> rejectedServices = new LinkedHashMap<>();

    /**
     * @throws IllegalArgumentException when a CIDR or the port range in {@code config} is unusable
     */
    public ServiceAllocator(AgentConfig config) {
        this(config, null, Clock.systemUTC());
    }

    /**
     * @param random where dynamic scans start; null derives each start from the Service's name
     *     instead, so every process given the same manifests (`serve`, `env`, `resolvconf`) makes the
     *     same choices even without a state dir
     */
    ServiceAllocator(AgentConfig config, RandomGenerator random, Clock clock) {
        this.clusterIps = new ClusterIpPool(config.serviceCidrs());
        this.nodePorts = new NodePortPool(config.nodePortRange());
        this.loadBalancers = new LoadBalancerPool(config.loadBalancerCidr());
        this.random = random;
        this.clock = clock;
        this.stateFile = config.stateDir() == null ? null : new StateFile(config.stateDir());
        AllocationState state = stateFile == null ? AllocationState.empty() : stateFile.load();
        this.holders = new HashMap<>(state.services());
        this.nextSequence = state.nextSequence();
        if (stateFile != null) {
            stateFile.handOver(new AllocationState(AllocationState.VERSION, nextSequence, holders)); // a view
        }
        // A current file rebuilt from the previous generation is written again at the first reconcile.
        this.unsaved = stateFile != null && stateFile.fellBack();
        for (Holder h : holders.values()) {
            Instant seen = parseInstant(h.firstSeen());
            if (seen != null && seen.isAfter(lastStamp)) {
                lastStamp = seen;
            }
        }
    }

    /**
     * Allocates for all currently valid Services (any order) and frees what Services no longer
     * present held: every Service is planned again, as after a restart. Persists the state when it
     * changed.
     */
    public synchronized Allocations reconcile(List<Service> services) {
        Map<String, Service> changes = new LinkedHashMap<>();
        for (Service s : services) {
            if (s.metadata() == null || s.metadata().name() == null) {
                log.warn("Service without a name given to the allocator; skipped");
                continue;
            }
            if (changes.putIfAbsent(s.metadata().key(), s) != null) {
                log.warn("Service {} given twice to the allocator; using the first", s.metadata().key());
            }
        }
        // Every Service given so far has a holder (and before the first apply, only the state's do).
        for (String key : holders.keySet()) {
            if (!changes.containsKey(key)) {
                changes.put(key, null);
            }
        }
        return apply(changes);
    }

    /**
     * Allocates for the Services that changed and frees what removed ones held; every other
     * Service keeps what it holds untouched. Services rejected before are tried again (what blocked
     * them may be free now). The outcome equals a {@link #reconcile} of all Services, because a
     * holder always keeps what it holds and only the changed and the rejected compete, oldest first.
     *
     * @param changes by `namespace/name`: the Service as it is now, or null when it is gone
     * @return the outcome for the changed Services and for every rejected one tried again
     */
    public synchronized Allocations apply(Map<String, Service> changes) {
        if (!given && !holders.isEmpty()) {
            // The first call after a (re)start names every Service there is: what the state still
            // holds for any other (deleted while we were down) is freed, as a full reconcile would.
            Map<String, Service> all = new LinkedHashMap<>(changes);
            for (String key : holders.keySet()) {
                if (!all.containsKey(key)) {
                    all.put(key, null);
                }
            }
            changes = all;
        }
        long sequenceBefore = nextSequence;
        Map<String, Service> retry = new LinkedHashMap<>(changes);
        rejectedServices.forEach((key, service) -> {
            if (!retry.containsKey(key)) { // not putIfAbsent: a null value means removed
                retry.put(key, service);
            }
        });
        // Only the Services planned here can come to hold anything else.
        Map<String, Holder> before = new LinkedHashMap<>();
        for (String key : retry.keySet()) {
            before.put(key, holders.get(key));
        }
        if (given) {
            for (String key : retry.keySet()) {
                Holder held = holders.get(key);
                if (held != null) {
                    release(key, held);
                }
                rejectedServices.remove(key);
            }
        }
        List<Work> work = new ArrayList<>(retry.size());
        for (Map.Entry<String, Service> e : retry.entrySet()) {
            String key = e.getKey();
            Service s = e.getValue();
            if (s == null) {
                holders.remove(key);
                continue;
            }
            Holder prior = holders.get(key);
            long sequence;
            String firstSeen;
            if (prior != null) {
                sequence = prior.sequence();
                firstSeen = prior.firstSeen();
            } else {
                sequence = nextSequence++;
                firstSeen = stampText();
            }
            Instant created = parseInstant(s.metadata().creationTimestamp());
            Instant seen = parseInstant(firstSeen);
            Instant age = created != null ? created : seen != null ? seen : Instant.MAX;
            work.add(new Work(s, key, sequence, firstSeen, age, prior));
        }

        List<Work> byAge = new ArrayList<>(work);
        // creationTimestamp when present, else first sight; ties (and equal stamps) by sequence.
        byAge.sort(Comparator.comparing((Work w) -> w.age).thenComparingLong(w -> w.sequence));
        for (Work w : byAge) {
            plan(w);
        }
        for (Work w : byAge) {
            if (!w.rejected()) {
                takeHeld(w);
            }
        }
        for (Work w : byAge) {
            if (!w.rejected()) {
                takeExplicit(w);
                if (w.rejected()) {
                    w.undo();
                }
            }
        }
        for (Work w : byAge) {
            if (!w.rejected()) {
                takeDynamic(w);
                if (w.rejected()) {
                    w.undo();
                }
            }
        }

        List<Service> accepted = new ArrayList<>(work.size());
        Map<String, List<FieldError>> rejected = new LinkedHashMap<>();
        for (Work w : work) {
            holders.put(w.key, w.holder());
            int[] unrecorded = w.nodePorts.unrecorded();
            if (unrecorded.length > 0) {
                unrecordedNodePorts.put(w.key, unrecorded);
            }
            if (w.rejected()) {
                rejectedServices.put(w.key, w.service);
                rejected.put(w.key, w.errors);
            } else {
                accepted.add(render(w));
            }
        }
        Map<String, Holder> changed = new LinkedHashMap<>();
        before.forEach((key, held) -> {
            if (!Objects.equals(held, holders.get(key))) {
                changed.put(key, held);
            }
        });
        given = true;
        persist(changed, nextSequence != sequenceBefore);
        return new Allocations(accepted, rejected);
    }

    /** Frees everything a Service holds (before it is planned again, or when it is gone). */
    private void release(String key, Holder held) {
        clusterIps.release(held);
        int[] unrecorded = unrecordedNodePorts.remove(key);
        nodePorts.release(held, unrecorded == null ? new int[0] : unrecorded);
        loadBalancers.release(held);
    }

    /** Monotonic first-seen stamps, so first-seen order never contradicts sequence order. */
    private Instant stamp() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        if (now.isBefore(lastStamp)) {
            now = lastStamp;
        }
        lastStamp = now;
        return now;
    }

    /** {@link #stamp()} as text, one String for every Service first seen at the same instant. */
    private String stampText() {
        Instant now = stamp();
        if (!now.equals(lastStampShared)) {
            lastStampShared = now;
            lastStampText = now.toString();
        }
        return lastStampText;
    }

    /** Parsed timestamps by text: Services share few distinct stamps, and parsing is not cheap. */
    private Instant parseInstant(String ts) {
        if (ts == null || ts.isEmpty()) {
            return null;
        }
        Instant known = parsedTimes.get(ts);
        if (known != null) {
            return known;
        }
        Instant parsed;
        try {
            parsed = OffsetDateTime.parse(ts).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
        if (parsedTimes.size() >= MAX_PARSED_TIMES) {
            parsedTimes.clear();
        }
        parsedTimes.put(ts, parsed);
        return parsed;
    }

    // ---- the passes ----------------------------------------------------------------------------

    /** What the Service needs from each pool (spec errors are recorded and make it rejected). */
    private void plan(Work w) {
        ServiceSpec spec = w.service.spec();
        String type = spec.type() == null || spec.type().isEmpty() ? Service.TYPE_CLUSTER_IP : spec.type();
        w.clusterIps = clusterIps.request(w.key, w.service, type, w.errors);
        w.nodePorts = nodePorts.request(spec, type);
        w.loadBalancer = loadBalancers.request(spec, type);
    }

    /** Pass 1: what the Service already held, where its spec still agrees. */
    private static void takeHeld(Work w) {
        if (w.prior == null) {
            return;
        }
        w.clusterIps.takeHeld(w.prior);
        w.nodePorts.takeHeld(w.prior);
        w.loadBalancer.takeHeld(w.prior);
    }

    /** Pass 2: explicit requests; every failure is reported. */
    private static void takeExplicit(Work w) {
        w.clusterIps.takeExplicit(w.errors, w.undo);
        w.nodePorts.takeExplicit(w.errors, w.undo);
        w.loadBalancer.takeExplicit(w.errors, w.undo);
    }

    /** Pass 3: dynamic picks, stopping at the first full range. */
    private void takeDynamic(Work w) {
        ScanStart start = new ScanStart(random, w.key);
        if (w.clusterIps.takeDynamic(w.errors, w.undo, start)) {
            if (w.nodePorts.takeDynamic(w.errors, w.undo, start)) {
                w.loadBalancer.takeDynamic(w.errors, w.undo, start);
            }
        }
    }

    private static Service render(Work w) {
        ServiceSpec spec = w.nodePorts.render(w.clusterIps.render(w.service.spec()));
        return w.loadBalancer.render(w.service.withSpec(spec));
    }

    /**
     * Saves the state when it changed, or when the last save failed.
     *
     * @param changed the Services whose holding this apply changed, with what each held before
     * @param sequenceMoved a newly seen Service took a sequence number
     */
    private void persist(Map<String, Holder> changed, boolean sequenceMoved) {
        if (stateFile == null || changed.isEmpty() && !sequenceMoved && !unsaved) {
            return;
        }
        try {
            // A view of the live map: the save reads it and keeps nothing of it.
            stateFile.save(new AllocationState(AllocationState.VERSION, nextSequence, holders), changed);
            unsaved = false;
        } catch (IOException | RuntimeException e) {
            unsaved = true;
            log.error("cannot save allocations to {}: {} (kept in memory; will retry)", stateFile.path(), e.toString());
        }
    }

    /**
     * One Service during one apply: what it needs and what it got so far, per pool. Dropped when
     * the apply ends; what the Service then holds is its {@link Holder}.
     */
    private static final class Work {
        final Service service;
        final String key;
        final long sequence;
        final String firstSeen;
        final Instant age;
        final Holder prior;
        final List<FieldError> errors = new ArrayList<>();
        /** Gives back what passes 2 and 3 took, should the Service be rejected. */
        final List<Runnable> undo = new ArrayList<>();
        ClusterIpPool.Request clusterIps;
        NodePortPool.Request nodePorts;
        LoadBalancerPool.Request loadBalancer;

        Work(Service service, String key, long sequence, String firstSeen, Instant age, Holder prior) {
            this.service = service;
            this.key = key;
            this.sequence = sequence;
            this.firstSeen = firstSeen;
            this.age = age;
            this.prior = prior;
        }

        boolean rejected() {
            return !errors.isEmpty();
        }

        void undo() {
            for (int i = undo.size() - 1; i >= 0; i--) {
                undo.get(i).run();
            }
            undo.clear();
        }

        /** What to remember for this Service (for a rejected one: only what it still holds). */
        Holder holder() {
            return new Holder(sequence, firstSeen, clusterIps.held(), nodePorts.held(), nodePorts.healthCheckNodePort(),
                    loadBalancer.held());
        }
    }
}
