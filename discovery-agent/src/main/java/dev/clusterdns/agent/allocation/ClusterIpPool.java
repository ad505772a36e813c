package dev.clusterdns.agent.allocation;

import dev.clusterdns.agent.allocation.AllocationState.Holder;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServiceSpec;
import dev.clusterdns.agent.net.IpAddresses;
import dev.clusterdns.agent.validation.FieldError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * ClusterIPs from `--service-cidr`: one range per IP family (the first is the primary), with
 * network+1 of the primary range reserved for `default/kubernetes`, present or not. Decides which
 * families a Service gets from its `ipFamilies` and `ipFamilyPolicy`, as kube-apiserver does.
 */
final class ClusterIpPool {
    static final String KUBERNETES_KEY = "default/kubernetes";
    private static final String SINGLE_STACK = "SingleStack";
    private static final String PREFER_DUAL_STACK = "PreferDualStack";
    private static final String REQUIRE_DUAL_STACK = "RequireDualStack";

    /** The family lists a Service can get, shared by every Service that gets one (they are kept in its spec). */
    private static final List<List<String>> FAMILY_LISTS = List.of(List.of(IpRange.IPV4), List.of(IpRange.IPV6),
            List.of(IpRange.IPV4, IpRange.IPV6), List.of(IpRange.IPV6, IpRange.IPV4));

    private final List<IpRange> ranges;

    /** @throws IllegalArgumentException when a CIDR is unusable, or two share a family, or there are more than two */
    ClusterIpPool(List<String> cidrs) {
        if (cidrs.size() > 2) {
            throw new IllegalArgumentException("--service-cidr: at most two CIDRs (one per IP family), got " + cidrs);
        }
        List<IpRange> parsed = new ArrayList<>();
        for (String c : cidrs) {
            parsed.add(IpRange.parse(c, "--service-cidr"));
        }
        if (parsed.size() == 2 && parsed.get(0).family().equals(parsed.get(1).family())) {
            throw new IllegalArgumentException("--service-cidr: dual stack needs one IPv4 and one IPv6 CIDR, got " + cidrs);
        }
        this.ranges = List.copyOf(parsed);
        primary().bitmap().claim(0);
    }

    private IpRange primary() {
        return ranges.get(0);
    }

    /** The range of {@code family}; null when the cluster has none. */
    private IpRange rangeFor(String family) {
        for (IpRange r : ranges) {
            if (r.family().equals(family)) {
                return r;
            }
        }
        return null;
    }

    private boolean isReserved(IpRange range, String ip) {
        return range == primary() && range.slotOf(ip) == 0;
    }

    /** Takes {@code ip} for {@code owner}; the reserved address only `default/kubernetes` may have. */
    private Claim claim(String owner, IpRange range, String ip) {
        Claim c = range.claim(ip);
        if (c == Claim.IN_USE && isReserved(range, ip)) {
            // Claimed at start-up and never freed; handing it to default/kubernetes takes nothing.
            return KUBERNETES_KEY.equals(owner) ? Claim.TAKEN : Claim.IN_USE;
        }
        return c;
    }

    private void free(IpRange range, String ip) {
        if (!isReserved(range, ip)) {
            range.free(ip);
        }
    }

    /** Frees the ClusterIPs {@code held} names (before its Service is planned again, or when it is gone). */
    void release(Holder held) {
        for (String ip : held.clusterIPs()) {
            free(rangeFor(IpRange.familyOf(ip)), ip);
        }
    }

    /**
     * What {@code service} needs from this pool: nothing for headless and ExternalName Services;
     * else one address per family. Spec errors (bad addresses, families or policy) go to
     * {@code errors}, and then the request needs nothing.
     */
    Request request(String owner, Service service, String type, List<FieldError> errors) {
        if (Service.TYPE_EXTERNAL_NAME.equals(type) || service.isHeadless()) {
            return new Request(owner, List.of(), null, List.of(), Map.of());
        }
        ServiceSpec spec = service.spec();
        List<String> given = !spec.clusterIPs().isEmpty() ? spec.clusterIPs()
                : spec.clusterIP() != null && !spec.clusterIP().isEmpty() ? List.of(spec.clusterIP()) : List.of();
        List<String> explicitFamilies = new ArrayList<>();
        Map<String, String> explicitIPs = new HashMap<>();
        for (String ip : given) {
            if (!IpAddresses.isValid(ip)) {
                errors.add(FieldError.invalid("spec.clusterIPs", given,
                        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
                return new Request(owner, List.of(), null, given, Map.of());
            }
            String family = IpRange.familyOf(ip);
            explicitFamilies.add(family);
            explicitIPs.putIfAbsent(family, IpAddresses.canonical(ip));
        }
        int before = errors.size();
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
                    errors.add(FieldError.invalid("spec.ipFamilyPolicy", policy,
                            "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
                }
            }
            case PREFER_DUAL_STACK, REQUIRE_DUAL_STACK -> {
                String second = IpRange.IPV4.equals(first) ? IpRange.IPV6 : IpRange.IPV4;
                if (ranges.size() == 2) {
                    families.add(second);
                } else if (REQUIRE_DUAL_STACK.equals(policy)) {
                    errors.add(FieldError.invalid("spec.ipFamilyPolicy", policy,
                            "this cluster is not configured for dual-stack services"));
                }
            }
            default -> errors.add(FieldError.unsupported("spec.ipFamilyPolicy", policy,
                    List.of(PREFER_DUAL_STACK, REQUIRE_DUAL_STACK, SINGLE_STACK)));
        }
        for (int i = 0; i < requested.size(); i++) {
            String family = requested.get(i);
            if (!IpRange.IPV4.equals(family) && !IpRange.IPV6.equals(family)) {
                errors.add(FieldError.unsupported("spec.ipFamilies[" + i + "]", family, List.of(IpRange.IPV4, IpRange.IPV6)));
            } else if (rangeFor(family) == null) {
                errors.add(FieldError.invalid("spec.ipFamilies[" + i + "]", family, "not configured on this cluster"));
            }
        }
        for (int i = 0; i < explicitFamilies.size(); i++) {
            if (!families.contains(explicitFamilies.get(i)) && rangeFor(explicitFamilies.get(i)) != null) {
                String want = families.get(Math.min(i, families.size() - 1));
                errors.add(FieldError.invalid("spec.clusterIPs[" + i + "]", given.get(i),
                        "expected an " + want + " value as indicated by `ipFamilies[" + i + "]`"));
            }
        }
        if (errors.size() > before) {
            return new Request(owner, List.of(), null, given, Map.of());
        }
        return new Request(owner, families, policy, given, explicitIPs);
    }

    /** {@code families} as one of {@link #FAMILY_LISTS} when it equals one. */
    private static List<String> shared(List<String> families) {
        int i = FAMILY_LISTS.indexOf(families);
        return i < 0 ? List.copyOf(families) : FAMILY_LISTS.get(i);
    }

    /** One Service's ClusterIPs: what it asks for and what it holds so far, one per family. */
    final class Request {
        private final String owner;
        /** Empty when the Service gets no ClusterIP. */
        private final List<String> families;
        private final String policy;
        /** The addresses as the spec gives them, for error messages. */
        private final List<String> requestedIPs;
        /** family → canonical address the spec asks for. */
        private final Map<String, String> explicitIPs;
        /** One per family; null until taken. */
        private final String[] ips;
        /** The last {@link #held()}, handed out again while it is still right (the holder and the spec then share it). */
        private List<String> lastHeld = List.of();

        private Request(String owner, List<String> families, String policy, List<String> requestedIPs,
                Map<String, String> explicitIPs) {
            this.owner = owner;
            this.families = shared(families);
            this.policy = policy;
            this.requestedIPs = requestedIPs;
            this.explicitIPs = explicitIPs;
            this.ips = new String[families.size()];
        }

        /** Re-takes what {@code prior} held, per family, where the spec does not ask for another. */
        void takeHeld(Holder prior) {
            for (int i = 0; i < ips.length; i++) {
                String family = families.get(i);
                String held = prior.clusterIP(family);
                String explicit = explicitIPs.get(family);
                if (held != null && (explicit == null || explicit.equals(held))
                        && claim(owner, rangeFor(family), held) == Claim.TAKEN) {
                    ips[i] = held;
                }
            }
        }

        /** Takes the addresses the spec asks for; what it takes can be given back by {@code undo}. */
        void takeExplicit(List<FieldError> errors, List<Runnable> undo) {
            for (int i = 0; i < ips.length; i++) {
                String family = families.get(i);
                String explicit = explicitIPs.get(family);
                if (ips[i] != null || explicit == null) {
                    continue;
                }
                IpRange range = rangeFor(family);
                switch (claim(owner, range, explicit)) {
                    case TAKEN -> {
                        int index = i;
                        undo.add(() -> free(range, explicit));
                        ips[i] = explicit;
                        undo.add(() -> ips[index] = null);
                    }
                    case IN_USE -> errors.add(FieldError.invalid("spec.clusterIPs", requestedIPs,
                            "failed to allocate IP " + explicit + ": provided IP is already allocated"));
                    case OUT_OF_RANGE -> errors.add(FieldError.invalid("spec.clusterIPs", requestedIPs,
                            "failed to allocate IP " + explicit + ": " + range.notInRange(explicit)));
                }
            }
        }

        /** Picks an address for every family still without one; false (with an error) when a range is full. */
        boolean takeDynamic(List<FieldError> errors, List<Runnable> undo, ScanStart start) {
            for (int i = 0; i < ips.length; i++) {
                if (ips[i] != null) {
                    continue;
                }
                IpRange range = rangeFor(families.get(i));
                if (range == primary() && KUBERNETES_KEY.equals(owner)) {
                    ips[i] = range.addressOf(0);
                    continue;
                }
                String ip = range.claimNext(start.forClaim("ip/" + i));
                if (ip == null) {
                    errors.add(FieldError.internal("", "failed to allocate a serviceIP: range is full"));
                    return false;
                }
                int index = i;
                ips[i] = ip;
                undo.add(() -> {
                    range.free(ip);
                    ips[index] = null;
                });
            }
            return true;
        }


        /** The addresses held, primary first. */
        List<String> held() {
            List<String> now = Arrays.stream(ips).filter(Objects::nonNull).toList();
            if (!now.equals(lastHeld)) {
                lastHeld = List.copyOf(now);
            }
            return lastHeld;
        }

        /** {@code spec} with the addresses, families and (when unset) the policy filled in. */
        ServiceSpec render(ServiceSpec spec) {
            if (families.isEmpty()) {
                return spec;
            }
            List<String> all = held();
            ServiceSpec out = spec.withClusterIPs(all.size() == ips.length ? all : List.of(ips), families);
            if (out.ipFamilyPolicy() == null || out.ipFamilyPolicy().isEmpty()) {
                out = out.withIpFamilyPolicy(policy);
            }
            return out;
        }
    }
}
