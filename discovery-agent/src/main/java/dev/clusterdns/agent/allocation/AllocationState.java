package dev.clusterdns.agent.allocation;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.clusterdns.agent.net.IpAddresses;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Everything the allocator must remember across restarts: what each Service holds and the order
 * in which Services were first seen. Written as `allocations.json` in the state directory.
 *
 * @param version format version, {@link #VERSION}
 * @param nextSequence the sequence number the next newly seen Service gets
 * @param services by `namespace/name`; not copied (a copy per change would cost every Service's
 *     entry): whoever builds a state hands the map over and changes it no more, except the
 *     allocator, whose state for a save is a view of its own map, read only during that save
 */
record AllocationState(int version, long nextSequence, Map<String, Holder> services) {
    static final int VERSION = 1;

    AllocationState {
        // Sorted only when written (see StateFile): sorting 10k keys on every rebuild is wasted work.
        services = services == null ? Map.of() : Collections.unmodifiableMap(services);
    }

    static AllocationState empty() {
        return new AllocationState(VERSION, 1, Map.of());
    }

    /**
     * Checks what a damaged or hand-edited file can get wrong in one entry (bad version, missing
     * entries, text that is not an address, ports outside 1-65535).
     *
     * @throws IllegalArgumentException naming the Service and field, when the state is unusable
     */
    void checkWellFormed() {
        if (version != VERSION) {
            throw new IllegalArgumentException("unsupported version " + version + ", expected " + VERSION);
        }
        if (nextSequence < 1) {
            throw new IllegalArgumentException("nextSequence " + nextSequence + ": must be 1 or more");
        }
        for (Map.Entry<String, Holder> e : services.entrySet()) {
            String key = e.getKey();
            Holder h = e.getValue();
            if (key == null || key.indexOf('/') <= 0 || key.indexOf('/') == key.length() - 1) {
                throw new IllegalArgumentException("services: key " + key + " is not namespace/name");
            }
            if (h == null) {
                throw new IllegalArgumentException("services." + key + ": no allocation");
            }
            if (h.sequence() < 1) {
                throw new IllegalArgumentException("services." + key + ".sequence " + h.sequence() + ": must be 1 or more");
            }
            for (String ip : h.clusterIPs()) {
                if (ip == null || !IpAddresses.isValid(ip)) {
                    throw new IllegalArgumentException("services." + key + ".clusterIPs: " + ip + " is not an IP address");
                }
            }
            for (NodePort np : h.nodePorts()) {
                checkPort(key, "nodePorts.port", np.port());
                checkPort(key, "nodePorts.nodePort", np.nodePort());
            }
            if (h.healthCheckNodePort() != null) {
                checkPort(key, "healthCheckNodePort", h.healthCheckNodePort());
            }
            if (h.loadBalancerIP() != null && !IpAddresses.isValid(h.loadBalancerIP())) {
                throw new IllegalArgumentException("services." + key + ".loadBalancerIP: " + h.loadBalancerIP()
                        + " is not an IP address");
            }
        }
    }

    private static void checkPort(String key, String field, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("services." + key + "." + field + " " + port + ": must be 1-65535");
        }
    }

    /**
     * This state with one {@code firstSeen} String per distinct text: a file read holds one per
     * Service, though Services first seen together share the stamp, and the holdings stay for as
     * long as the Services live.
     */
    AllocationState withSharedFirstSeen() {
        Map<String, String> texts = new HashMap<>();
        Map<String, Holder> out = new HashMap<>();
        services.forEach((key, h) -> {
            String text = h.firstSeen() == null ? null : texts.computeIfAbsent(h.firstSeen(), t -> t);
            out.put(key, text == h.firstSeen() ? h : new Holder(h.sequence(), text, h.clusterIPs(), h.nodePorts(),
                    h.healthCheckNodePort(), h.loadBalancerIP()));
        });
        return new AllocationState(version, nextSequence, out);
    }

    /**
     * This state with every claim on an address or port that an older Service (lower sequence)
     * also claims taken away from the newer one. The allocator never writes such a state; a
     * hand-edited or damaged file can hold one, and then the older holder keeps what it has.
     *
     * @param conflicts receives one line per claim taken away, naming both Services
     */
    AllocationState withoutConflicts(List<String> conflicts) {
        List<Map.Entry<String, Holder>> byAge = new ArrayList<>(services.entrySet());
        byAge.sort(Comparator.comparingLong((Map.Entry<String, Holder> e) -> e.getValue().sequence())
                .thenComparing(Map.Entry::getKey));
        Map<String, String> ipOwners = new HashMap<>();
        Map<String, String> lbOwners = new HashMap<>();
        // nodePort -> owner; one Service may share a nodePort between 53/TCP and 53/UDP
        Map<Integer, String> portOwners = new HashMap<>();
        Map<String, Holder> out = new LinkedHashMap<>();
        boolean changed = false;
        for (Map.Entry<String, Holder> e : byAge) {
            String key = e.getKey();
            Holder h = e.getValue();
            List<String> ips = new ArrayList<>();
            for (String ip : h.clusterIPs()) {
                String owner = ipOwners.putIfAbsent(IpAddresses.canonical(ip), key);
                if (owner == null || owner.equals(key)) {
                    ips.add(ip);
                } else {
                    conflicts.add(conflict(key, owner, "ClusterIP " + ip));
                }
            }
            List<NodePort> ports = new ArrayList<>();
            Map<Integer, Integer> own = new HashMap<>();
            for (NodePort np : h.nodePorts()) {
                if (claimPort(key, np.nodePort(), np.port(), portOwners, own)) {
                    ports.add(np);
                } else {
                    conflicts.add(conflict(key, portOwners.get(np.nodePort()), "NodePort " + np.nodePort()));
                }
            }
            Integer check = h.healthCheckNodePort();
            if (check != null && !claimPort(key, check, -1, portOwners, own)) {
                conflicts.add(conflict(key, portOwners.get(check), "healthCheckNodePort " + check));
                check = null;
            }
            String lb = h.loadBalancerIP();
            if (lb != null) {
                String owner = lbOwners.putIfAbsent(IpAddresses.canonical(lb), key);
                if (owner != null && !owner.equals(key)) {
                    conflicts.add(conflict(key, owner, "LoadBalancer IP " + lb));
                    lb = null;
                }
            }
            Holder kept = new Holder(h.sequence(), h.firstSeen(), ips, ports, check, lb);
            changed |= !kept.equals(h);
            out.put(key, kept);
        }
        return changed ? new AllocationState(version, nextSequence, out) : this;
    }

    /** @param own this Service's nodePorts so far, to the Service port number using each (-1 = health check) */
    private static boolean claimPort(String key, int port, int servicePort, Map<Integer, String> owners,
            Map<Integer, Integer> own) {
        String owner = owners.putIfAbsent(port, key);
        if (owner == null) {
            own.put(port, servicePort);
            return true;
        }
        // The same Service may repeat a nodePort only for one Service port number under two protocols.
        return owner.equals(key) && servicePort != -1 && Objects.equals(own.get(port), servicePort);
    }

    private static String conflict(String newer, String older, String what) {
        return newer + " and " + older + " both claim " + what + "; the older " + older
                + " keeps it and " + newer + " gets a new one";
    }

    /**
     * One change per address or port a Service held in {@code before} and holds no longer or holds
     * differently in this state (Services gone from this state are not listed: they were deleted),
     * in key order.
     *
     * @param keys every Service whose holding may differ between the two; no other is looked at
     */
    List<Change> changesSince(AllocationState before, Collection<String> keys) {
        List<Change> out = new ArrayList<>();
        for (String key : new TreeSet<>(keys)) {
            Holder was = before.services().get(key);
            Holder now = services.get(key);
            if (now == null || was == null || was.equals(now)) {
                continue;
            }
            for (String ip : was.clusterIPs()) {
                change(out, key, "ClusterIP " + ip, ip, now.clusterIP(IpRange.familyOf(ip)));
            }
            for (NodePort np : was.nodePorts()) {
                change(out, key, "NodePort " + np.nodePort() + " (port " + np.port() + "/" + np.protocol() + ")",
                        np.nodePort(), now.nodePort(np.protocol(), np.port()));
            }
            if (was.healthCheckNodePort() != null) {
                change(out, key, "healthCheckNodePort " + was.healthCheckNodePort(), was.healthCheckNodePort(),
                        now.healthCheckNodePort());
            }
            if (was.loadBalancerIP() != null) {
                change(out, key, "LoadBalancer IP " + was.loadBalancerIP(), was.loadBalancerIP(), now.loadBalancerIP());
            }
        }
        return out;
    }

    private static void change(List<Change> out, String key, String what, Object was, Object now) {
        if (!was.equals(now)) {
            out.add(new Change(key + ": " + what + (now == null ? " released" : " -> " + now), now != null));
        }
    }

    /** One address or port a Service held before: {@code moved} to another, or released. */
    record Change(String text, boolean moved) {}

    /**
     * What one Service holds.
     *
     * @param sequence first-seen order (decides who is older when creation timestamps are missing)
     * @param firstSeen when the allocator first saw the Service (ISO-8601)
     * @param clusterIPs primary first, canonical text
     * @param nodePorts one per Service port (protocol, port)
     * @param healthCheckNodePort null when none
     * @param loadBalancerIP null when none
     */
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    record Holder(long sequence, String firstSeen, List<String> clusterIPs, List<NodePort> nodePorts,
            Integer healthCheckNodePort, String loadBalancerIP) {
        Holder {
            clusterIPs = clusterIPs == null ? List.of() : List.copyOf(clusterIPs);
            nodePorts = nodePorts == null ? List.of() : List.copyOf(nodePorts);
        }

        String clusterIP(String family) {
            for (String ip : clusterIPs) {
                if (IpRange.familyOf(ip).equals(family)) {
                    return ip;
                }
            }
            return null;
        }

        Integer nodePort(String protocol, int port) {
            for (NodePort np : nodePorts) {
                if (np.port() == port && np.protocol().equals(protocol)) {
                    return np.nodePort();
                }
            }
            return null;
        }
    }

    /** The nodePort held for the Service port (protocol, port). */
    record NodePort(String protocol, int port, int nodePort) {
        NodePort {
            if (protocol == null) {
                throw new IllegalArgumentException("nodePort entry without protocol");
            }
        }
    }
}
