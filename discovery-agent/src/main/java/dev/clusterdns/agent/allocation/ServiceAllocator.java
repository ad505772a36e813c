package dev.clusterdns.agent.allocation;

import dev.clusterdns.agent.AgentConfig;
import dev.clusterdns.agent.allocation.AllocationState.Holder;
import dev.clusterdns.agent.model.LoadBalancerIngress;
import dev.clusterdns.agent.model.LoadBalancerStatus;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import dev.clusterdns.agent.model.ServiceSpec;
import dev.clusterdns.agent.model.ServiceStatus;
import dev.clusterdns.agent.net.IpAddresses;
import dev.clusterdns.agent.validation.FieldError;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
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
    static final String KUBERNETES_KEY = "default/kubernetes";
    private static final String SINGLE_STACK = "SingleStack";
    private static final String PREFER_DUAL_STACK = "PreferDualStack";
    private static final String REQUIRE_DUAL_STACK = "RequireDualStack";
    private static final int HEALTH_CHECK = -1;
    private static final int MAX_PARSED_TIMES = 100_000;
    private static final Logger log = LoggerFactory.getLogger(ServiceAllocator.class);

    private final List<IpRange> serviceRanges;
    private final PortRange nodePorts;
    private final IpRange loadBalancers;
    private final StateFile stateFile;
    private final RandomGenerator random;
    private final Clock clock;
    private AllocationState state;
    /** The last save failed: retry on the next reconcile even without a change. */
    private boolean unsaved;
    private Instant lastStamp = Instant.EPOCH;
    private final Map<String, Instant> parsedTimes = new HashMap<>();
    /** Every Service given so far, with what it holds (its claims are in the bitmaps). */
    private final Map<String, Work> live = new HashMap<>();
    /** Services that could not get everything: tried again on every {@link #apply}. */
    private final java.util.Set<String> rejectedKeys = new java.util.LinkedHashSet<>();

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
        List<String> cidrs = config.serviceCidrs();
        if (cidrs.size() > 2) {
            throw new IllegalArgumentException("--service-cidr: at most two CIDRs (one per IP family), got " + cidrs);
        }
        List<IpRange> ranges = new ArrayList<>();
        for (String c : cidrs) {
            ranges.add(IpRange.parse(c, "--service-cidr"));
        }
        if (ranges.size() == 2 && ranges.get(0).family().equals(ranges.get(1).family())) {
            throw new IllegalArgumentException("--service-cidr: dual stack needs one IPv4 and one IPv6 CIDR, got " + cidrs);
        }
        this.serviceRanges = List.copyOf(ranges);
        this.nodePorts = PortRange.parse(config.nodePortRange());
        this.loadBalancers = IpRange.parse(config.loadBalancerCidr(), "--loadbalancer-cidr");
        this.random = random;
        this.clock = clock;
        this.stateFile = config.stateDir() == null ? null : new StateFile(config.stateDir());
        this.state = stateFile == null ? AllocationState.empty() : stateFile.load();
        // A current file rebuilt from the previous generation is written again at the first reconcile.
        this.unsaved = stateFile != null && stateFile.fellBack();
        // network+1 of the primary range belongs to default/kubernetes, present or not.
        primary().bitmap().claim(0);
        for (Holder h : state.services().values()) {
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
        for (String key : live.keySet()) {
            if (!changes.containsKey(key)) {
                changes.put(key, null);
            }
        }
        for (String key : state.services().keySet()) {
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
        if (live.isEmpty() && !state.services().isEmpty()) {
            // The first call after a (re)start names every Service there is: what the state still
            // holds for any other (deleted while we were down) is freed, as a full reconcile would.
            Map<String, Service> all = new LinkedHashMap<>(changes);
            for (String key : state.services().keySet()) {
                if (!all.containsKey(key)) {
                    all.put(key, null);
                }
            }
            changes = all;
        }
        long nextSequence = state.nextSequence();
        Map<String, Holder> holders = new HashMap<>(state.services());
        Map<String, Service> retry = new LinkedHashMap<>(changes);
        for (String key : rejectedKeys) {
            Work old = live.get(key);
            if (old != null && !retry.containsKey(key)) { // not putIfAbsent: a null value means removed
                retry.put(key, old.service);
            }
        }
        for (String key : retry.keySet()) {
            Work old = live.remove(key);
            if (old != null) {
                release(old);
                holders.put(key, old.holder());
            }
            rejectedKeys.remove(key);
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
                firstSeen = stamp().toString();
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
            w.undo.clear();
            live.put(w.key, w);
            holders.put(w.key, w.holder());
            if (w.rejected()) {
                rejectedKeys.add(w.key);
                rejected.put(w.key, w.errors);
            } else {
                accepted.add(render(w));
            }
        }
        persist(new AllocationState(AllocationState.VERSION, nextSequence, holders));
        return new Allocations(accepted, rejected);
    }

    /** Frees everything a Service holds (before it is planned again, or when it is gone). */
    private void release(Work w) {
        for (int i = 0; i < w.ips.length; i++) {
            String ip = w.ips[i];
            if (ip == null) {
                continue;
            }
            IpRange range = rangeFor(w.families.get(i));
            int slot = range.slotOf(ip);
            if (slot >= 0 && !(range == primary() && slot == 0)) {
                range.bitmap().release(slot);
            }
        }
        for (Integer port : w.ownedNodePorts.keySet()) {
            nodePorts.bitmap().release(nodePorts.slotOf(port));
        }
        if (w.loadBalancerIP != null) {
            int slot = loadBalancers.slotOf(w.loadBalancerIP);
            if (slot >= 0) {
                loadBalancers.bitmap().release(slot);
            }
        }
    }

    private IpRange primary() {
        return serviceRanges.get(0);
    }

    private IpRange rangeFor(String family) {
        for (IpRange r : serviceRanges) {
            if (r.family().equals(family)) {
                return r;
            }
        }
        return null;
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

    // ---- what each Service needs -------------------------------------------------------------

    private void plan(Work w) {
        ServiceSpec spec = w.service.spec();
        String type = spec.type() == null || spec.type().isEmpty() ? Service.TYPE_CLUSTER_IP : spec.type();
        if (Service.TYPE_EXTERNAL_NAME.equals(type)) {
            return;
        }
        if (!w.service.isHeadless()) {
            planClusterIPs(w, spec);
        }
        boolean loadBalancer = Service.TYPE_LOAD_BALANCER.equals(type);
        boolean allocateAll = Service.TYPE_NODE_PORT.equals(type)
                || loadBalancer && !Boolean.FALSE.equals(spec.allocateLoadBalancerNodePorts());
        List<ServicePort> ports = spec.ports();
        w.needsNodePort = new boolean[ports.size()];
        w.nodePorts = new Integer[ports.size()];
        for (int i = 0; i < ports.size(); i++) {
            // Explicit nodePorts are honoured even when a LoadBalancer opts out of allocation.
            w.needsNodePort[i] = allocateAll || loadBalancer && positive(ports.get(i).nodePort());
        }
        w.needsHealthCheck = loadBalancer && "Local".equals(spec.externalTrafficPolicy());
        w.needsLoadBalancerIP = loadBalancer;
        if (loadBalancer && spec.loadBalancerIP() != null && !spec.loadBalancerIP().isBlank()) {
            String ip = spec.loadBalancerIP().trim();
            w.explicitLoadBalancerIP = IpAddresses.isValid(ip) ? IpAddresses.canonical(ip) : ip;
        }
    }

    private void planClusterIPs(Work w, ServiceSpec spec) {
        List<String> given = !spec.clusterIPs().isEmpty() ? spec.clusterIPs()
                : spec.clusterIP() != null && !spec.clusterIP().isEmpty() ? List.of(spec.clusterIP()) : List.of();
        w.requestedIPs = given;
        List<String> explicitFamilies = new ArrayList<>();
        for (String ip : given) {
            if (!IpAddresses.isValid(ip)) {
                w.errors.add(FieldError.invalid("spec.clusterIPs", given,
                        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
                return;
            }
            String family = IpRange.familyOf(ip);
            explicitFamilies.add(family);
            w.explicitIPs.putIfAbsent(family, IpAddresses.canonical(ip));
        }
        List<String> requested = !spec.ipFamilies().isEmpty() ? spec.ipFamilies() : explicitFamilies;
        String policy = spec.ipFamilyPolicy();
        if (policy == null || policy.isEmpty()) {
            policy = requested.size() > 1 ? REQUIRE_DUAL_STACK : SINGLE_STACK;
        }
        String first = requested.isEmpty() ? primary().family() : requested.get(0);
        List<String> families = new ArrayList<>(2);
        families.add(first);
        switch (policy) {
            case SINGLE_STACK -> {
                if (requested.size() > 1) {
                    w.errors.add(FieldError.invalid("spec.ipFamilyPolicy", policy,
                            "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
                }
            }
            case PREFER_DUAL_STACK, REQUIRE_DUAL_STACK -> {
                String second = IpRange.IPV4.equals(first) ? IpRange.IPV6 : IpRange.IPV4;
                if (serviceRanges.size() == 2) {
                    families.add(second);
                } else if (REQUIRE_DUAL_STACK.equals(policy)) {
                    w.errors.add(FieldError.invalid("spec.ipFamilyPolicy", policy,
                            "this cluster is not configured for dual-stack services"));
                }
            }
            default -> w.errors.add(FieldError.unsupported("spec.ipFamilyPolicy", policy,
                    List.of(PREFER_DUAL_STACK, REQUIRE_DUAL_STACK, SINGLE_STACK)));
        }
        for (int i = 0; i < requested.size(); i++) {
            String family = requested.get(i);
            if (!IpRange.IPV4.equals(family) && !IpRange.IPV6.equals(family)) {
                w.errors.add(FieldError.unsupported("spec.ipFamilies[" + i + "]", family, List.of(IpRange.IPV4, IpRange.IPV6)));
            } else if (rangeFor(family) == null) {
                w.errors.add(FieldError.invalid("spec.ipFamilies[" + i + "]", family, "not configured on this cluster"));
            }
        }
        for (int i = 0; i < explicitFamilies.size(); i++) {
            if (!families.contains(explicitFamilies.get(i)) && rangeFor(explicitFamilies.get(i)) != null) {
                String want = families.get(Math.min(i, families.size() - 1));
                w.errors.add(FieldError.invalid("spec.clusterIPs[" + i + "]", given.get(i),
                        "expected an " + want + " value as indicated by `ipFamilies[" + i + "]`"));
            }
        }
        if (w.errors.isEmpty()) {
            w.policy = policy;
            w.families = List.copyOf(families);
            w.ips = new String[families.size()];
        }
    }

    private static boolean positive(Integer n) {
        return n != null && n > 0;
    }

    // ---- pass 1: what a Service already held -------------------------------------------------

    private void takeHeld(Work w) {
        Holder prior = w.prior;
        if (prior == null) {
            return;
        }
        for (int i = 0; i < w.ips.length; i++) {
            String family = w.families.get(i);
            String held = prior.clusterIP(family);
            String explicit = w.explicitIPs.get(family);
            if (held != null && (explicit == null || explicit.equals(held))
                    && claimIp(w, rangeFor(family), held, false) == Claim.TAKEN) {
                w.ips[i] = held;
            }
        }
        List<ServicePort> ports = w.service.spec().ports();
        for (int i = 0; i < w.nodePorts.length; i++) {
            if (!w.needsNodePort[i]) {
                continue;
            }
            ServicePort p = ports.get(i);
            Integer held = p.port() == null ? null : prior.nodePort(p.protocolOrTcp(), p.port());
            if (held != null && (!positive(p.nodePort()) || p.nodePort().equals(held))
                    && claimNodePort(w, held, servicePortNumber(p), false) == Claim.TAKEN) {
                w.nodePorts[i] = held;
            }
        }
        Integer heldCheck = prior.healthCheckNodePort();
        Integer explicitCheck = w.service.spec().healthCheckNodePort();
        if (w.needsHealthCheck && heldCheck != null && (!positive(explicitCheck) || explicitCheck.equals(heldCheck))
                && claimNodePort(w, heldCheck, HEALTH_CHECK, false) == Claim.TAKEN) {
            w.healthCheckNodePort = heldCheck;
        }
        String heldLb = prior.loadBalancerIP();
        if (w.needsLoadBalancerIP && heldLb != null
                && (w.explicitLoadBalancerIP == null || w.explicitLoadBalancerIP.equals(heldLb))
                && claimIp(w, loadBalancers, heldLb, false) == Claim.TAKEN) {
            w.loadBalancerIP = heldLb;
        }
    }

    // ---- pass 2: explicit requests -------------------------------------------------------------

    private void takeExplicit(Work w) {
        for (int i = 0; i < w.ips.length; i++) {
            String family = w.families.get(i);
            String explicit = w.explicitIPs.get(family);
            if (w.ips[i] != null || explicit == null) {
                continue;
            }
            IpRange range = rangeFor(family);
            switch (claimIp(w, range, explicit, true)) {
                case TAKEN -> {
                    int index = i;
                    w.ips[i] = explicit;
                    w.undo.add(() -> w.ips[index] = null);
                }
                case IN_USE -> w.errors.add(FieldError.invalid("spec.clusterIPs", w.requestedIPs,
                        "failed to allocate IP " + explicit + ": provided IP is already allocated"));
                case OUT_OF_RANGE -> w.errors.add(FieldError.invalid("spec.clusterIPs", w.requestedIPs,
                        "failed to allocate IP " + explicit + ": " + range.notInRange(explicit)));
            }
        }
        List<ServicePort> ports = w.service.spec().ports();
        for (int i = 0; i < w.nodePorts.length; i++) {
            ServicePort p = ports.get(i);
            if (!w.needsNodePort[i] || w.nodePorts[i] != null || !positive(p.nodePort())) {
                continue;
            }
            String field = "spec.ports[" + i + "].nodePort";
            switch (claimNodePort(w, p.nodePort(), servicePortNumber(p), true)) {
                case TAKEN -> {
                    int index = i;
                    w.nodePorts[i] = p.nodePort();
                    w.undo.add(() -> w.nodePorts[index] = null);
                }
                case IN_USE -> w.errors.add(FieldError.invalid(field, p.nodePort(), "provided port is already allocated"));
                case OUT_OF_RANGE -> w.errors.add(FieldError.invalid(field, p.nodePort(), portNotInRange()));
            }
        }
        Integer check = w.service.spec().healthCheckNodePort();
        if (w.needsHealthCheck && w.healthCheckNodePort == null && positive(check)) {
            String field = "spec.healthCheckNodePort";
            switch (claimNodePort(w, check, HEALTH_CHECK, true)) {
                case TAKEN -> {
                    w.healthCheckNodePort = check;
                    w.undo.add(() -> w.healthCheckNodePort = null);
                }
                case IN_USE -> w.errors.add(FieldError.invalid(field, check, "provided port is already allocated"));
                case OUT_OF_RANGE -> w.errors.add(FieldError.invalid(field, check, portNotInRange()));
            }
        }
        String lb = w.explicitLoadBalancerIP;
        if (w.needsLoadBalancerIP && w.loadBalancerIP == null && lb != null) {
            String field = "spec.loadBalancerIP";
            switch (claimIp(w, loadBalancers, lb, true)) {
                case TAKEN -> {
                    w.loadBalancerIP = lb;
                    w.undo.add(() -> w.loadBalancerIP = null);
                }
                case IN_USE -> w.errors.add(FieldError.invalid(field, w.service.spec().loadBalancerIP(),
                        "failed to allocate IP " + lb + ": provided IP is already allocated"));
                case OUT_OF_RANGE -> w.errors.add(FieldError.invalid(field, w.service.spec().loadBalancerIP(),
                        "failed to allocate IP " + lb + ": " + loadBalancers.notInRange(lb)));
            }
        }
    }

    private String portNotInRange() {
        return "provided port is not in the valid range. The range of valid ports is " + nodePorts;
    }

    // ---- pass 3: dynamic allocation ------------------------------------------------------------

    private void takeDynamic(Work w) {
        for (int i = 0; i < w.ips.length; i++) {
            if (w.ips[i] != null) {
                continue;
            }
            IpRange range = rangeFor(w.families.get(i));
            if (range == primary() && KUBERNETES_KEY.equals(w.key)) {
                w.ips[i] = range.addressOf(0);
                continue;
            }
            int slot = range.bitmap().claimNext(startFor(w, "ip/" + i));
            if (slot < 0) {
                w.errors.add(FieldError.internal("", "failed to allocate a serviceIP: range is full"));
                return;
            }
            int index = i;
            w.ips[i] = range.addressOf(slot);
            w.undo.add(() -> {
                range.bitmap().release(slot);
                w.ips[index] = null;
            });
        }
        List<ServicePort> ports = w.service.spec().ports();
        for (int i = 0; i < w.nodePorts.length; i++) {
            if (!w.needsNodePort[i] || w.nodePorts[i] != null) {
                continue;
            }
            Integer port = dynamicNodePort(w, servicePortNumber(ports.get(i)));
            if (port == null) {
                return;
            }
            int index = i;
            w.nodePorts[i] = port;
            w.undo.add(() -> w.nodePorts[index] = null);
        }
        if (w.needsHealthCheck && w.healthCheckNodePort == null) {
            Integer port = dynamicNodePort(w, HEALTH_CHECK);
            if (port == null) {
                return;
            }
            w.healthCheckNodePort = port;
            w.undo.add(() -> w.healthCheckNodePort = null);
        }
        if (w.needsLoadBalancerIP && w.loadBalancerIP == null) {
            int slot = loadBalancers.bitmap().claimNext(startFor(w, "lb"));
            if (slot < 0) {
                w.errors.add(FieldError.internal("", "failed to allocate a loadBalancer IP: range is full"));
                return;
            }
            w.loadBalancerIP = loadBalancers.addressOf(slot);
            w.undo.add(() -> {
                loadBalancers.bitmap().release(slot);
                w.loadBalancerIP = null;
            });
        }
    }

    /** The scan start for one claim: the injected generator, or one seeded by the Service and claim. */
    private RandomGenerator startFor(Work w, String claim) {
        if (random != null) {
            return random;
        }
        // FNV-1a: a stable, well-spread seed from the text (String.hashCode is too clustered).
        long h = 0xcbf29ce484222325L;
        for (byte b : (w.key + "#" + claim).getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return new SplittableRandom(h);
    }

    /**
     * A nodePort for the Service port numbered {@code servicePort}: the one this Service already
     * uses for the same port number under another protocol (as Kubernetes shares them), else a
     * new one. Null (with an error recorded) when the range is full.
     */
    private Integer dynamicNodePort(Work w, int servicePort) {
        if (servicePort != HEALTH_CHECK) {
            for (Map.Entry<Integer, Integer> owned : w.ownedNodePorts.entrySet()) {
                if (owned.getValue() == servicePort) {
                    return owned.getKey();
                }
            }
        }
        int slot = nodePorts.bitmap().claimNext(startFor(w, "nodePort/" + servicePort));
        if (slot < 0) {
            w.errors.add(FieldError.internal("", "failed to allocate a nodePort: range is full"));
            return null;
        }
        int port = nodePorts.portOf(slot);
        w.ownedNodePorts.put(port, servicePort);
        w.undo.add(() -> {
            nodePorts.bitmap().release(slot);
            w.ownedNodePorts.remove(port);
        });
        return port;
    }

    // ---- claims --------------------------------------------------------------------------------

    private enum Claim {
        TAKEN,
        IN_USE,
        OUT_OF_RANGE
    }

    private Claim claimIp(Work w, IpRange range, String ip, boolean undoable) {
        int slot = range.slotOf(ip);
        if (slot < 0) {
            return Claim.OUT_OF_RANGE;
        }
        if (range == primary() && slot == 0) {
            // Reserved at the start of every reconcile; only default/kubernetes may have it.
            return KUBERNETES_KEY.equals(w.key) ? Claim.TAKEN : Claim.IN_USE;
        }
        if (!range.bitmap().claim(slot)) {
            return Claim.IN_USE;
        }
        if (undoable) {
            w.undo.add(() -> range.bitmap().release(slot));
        }
        return Claim.TAKEN;
    }

    /**
     * Claims {@code port} for the Service port numbered {@code servicePort}. One Service may use
     * the same nodePort for ports that share a port number (e.g. 53/TCP and 53/UDP).
     */
    private Claim claimNodePort(Work w, int port, int servicePort, boolean undoable) {
        if (!nodePorts.contains(port)) {
            return Claim.OUT_OF_RANGE;
        }
        Integer owner = w.ownedNodePorts.get(port);
        if (owner != null) {
            return owner == servicePort && servicePort != HEALTH_CHECK ? Claim.TAKEN : Claim.IN_USE;
        }
        int slot = nodePorts.slotOf(port);
        if (!nodePorts.bitmap().claim(slot)) {
            return Claim.IN_USE;
        }
        w.ownedNodePorts.put(port, servicePort);
        if (undoable) {
            w.undo.add(() -> {
                nodePorts.bitmap().release(slot);
                w.ownedNodePorts.remove(port);
            });
        }
        return Claim.TAKEN;
    }

    private static int servicePortNumber(ServicePort p) {
        return p.port() == null ? 0 : p.port();
    }

    // ---- results -------------------------------------------------------------------------------

    private static Service render(Work w) {
        ServiceSpec spec = w.service.spec();
        if (!w.families.isEmpty()) {
            spec = spec.withClusterIPs(List.of(w.ips), w.families);
            if (spec.ipFamilyPolicy() == null || spec.ipFamilyPolicy().isEmpty()) {
                spec = spec.withIpFamilyPolicy(w.policy);
            }
        }
        if (w.nodePorts.length > 0) {
            List<ServicePort> ports = new ArrayList<>(spec.ports());
            boolean changed = false;
            for (int i = 0; i < ports.size(); i++) {
                if (w.needsNodePort[i] && !w.nodePorts[i].equals(ports.get(i).nodePort())) {
                    ports.set(i, ports.get(i).withNodePort(w.nodePorts[i]));
                    changed = true;
                }
            }
            if (changed) {
                spec = spec.withPorts(ports);
            }
        }
        if (w.needsHealthCheck) {
            spec = spec.withHealthCheckNodePort(w.healthCheckNodePort);
        }
        Service out = w.service.withSpec(spec);
        if (w.needsLoadBalancerIP) {
            out = out.withStatus(new ServiceStatus(new LoadBalancerStatus(
                    List.of(new LoadBalancerIngress(w.loadBalancerIP, null, null)))));
        }
        return out;
    }

    private void persist(AllocationState next) {
        boolean changed = !next.equals(state);
        state = next;
        if (stateFile == null || !changed && !unsaved) {
            return;
        }
        try {
            stateFile.save(next);
            unsaved = false;
        } catch (IOException | RuntimeException e) {
            unsaved = true;
            log.error("cannot save allocations to {}: {} (kept in memory; will retry)", stateFile.path(), e.toString());
        }
    }

    /** One Service during one reconcile: what it needs and what it got so far. */
    private static final class Work {
        final Service service;
        final String key;
        final long sequence;
        final String firstSeen;
        final Instant age;
        final Holder prior;
        final List<FieldError> errors = new ArrayList<>();
        /** Releases what passes 2 and 3 took, should the Service be rejected. */
        final List<Runnable> undo = new ArrayList<>();
        /** nodePort → the Service port number using it ({@link #HEALTH_CHECK} for the health check). */
        final Map<Integer, Integer> ownedNodePorts = new HashMap<>();

        List<String> families = List.of();
        String policy;
        List<String> requestedIPs = List.of();
        final Map<String, String> explicitIPs = new HashMap<>();
        String[] ips = new String[0];
        boolean[] needsNodePort = new boolean[0];
        Integer[] nodePorts = new Integer[0];
        boolean needsHealthCheck;
        Integer healthCheckNodePort;
        boolean needsLoadBalancerIP;
        String explicitLoadBalancerIP;
        String loadBalancerIP;

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
            List<String> held = Arrays.stream(ips).filter(ip -> ip != null).toList();
            List<AllocationState.NodePort> ports = new ArrayList<>();
            List<ServicePort> specPorts = service.spec().ports();
            for (int i = 0; i < nodePorts.length; i++) {
                ServicePort p = specPorts.get(i);
                if (nodePorts[i] != null && p.port() != null) {
                    ports.add(new AllocationState.NodePort(p.protocolOrTcp(), p.port(), nodePorts[i]));
                }
            }
            return new Holder(sequence, firstSeen, held, ports, healthCheckNodePort, loadBalancerIP);
        }
    }
}
