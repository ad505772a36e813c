package dev.clusterdns.agent.allocation;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.agent.net.IpAddresses;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pod IPs from `--pod-cidr`, as a node's IPAM (CNI host-local) hands them out: the network
 * address and the first address (the gateway a bridge would hold) are never given, nor IPv4's
 * broadcast address. A Pod keeps its IP for as long as it exists, across restarts when a state
 * directory is given (`pod-ips.json`). New Pods get the first free address at or after one derived
 * from their name, so `serve`, `env` and `resolvconf` agree on the IPs even without a state dir.
 */
public final class PodIpPool {
    public static final String DEFAULT_POD_CIDR = "127.244.0.0/16";
    static final String FILE_NAME = "pod-ips.json";
    /** Like the ClusterIP bitmap, IPv6 ranges are capped so the pool stays small. */
    private static final long MAX_ADDRESSES = 1L << 20;
    /** Network+1 is the gateway's. */
    private static final int FIRST = 2;
    private static final Logger log = LoggerFactory.getLogger(PodIpPool.class);

    private final Cidr cidr;
    /** The addresses pods may get, from network+2 on; its bitmap is rebuilt by every reconcile. */
    private final IpRange range;
    private final Path file;
    private final ObjectMapper json = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    /** pod key → IP. */
    private Map<String, String> held;

    /** What `pod-ips.json` holds. */
    record State(int version, String cidr, Map<String, String> pods) {}

    /**
     * @param stateDir where `pod-ips.json` lives; null keeps the IPs in memory only
     * @throws IllegalArgumentException when {@code podCidr} is not a CIDR with room for pods
     */
    public PodIpPool(String podCidr, Path stateDir) {
        try {
            this.cidr = Cidr.parse(podCidr == null ? DEFAULT_POD_CIDR : podCidr);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid --pod-cidr \"" + podCidr + "\": not a CIDR such as " + DEFAULT_POD_CIDR);
        }
        long size = cidr.size().min(BigInteger.valueOf(MAX_ADDRESSES)).longValueExact();
        long count = size - FIRST - (cidr.isIpv6() ? 0 : 1);
        if (count < 1) {
            throw new IllegalArgumentException("invalid --pod-cidr \"" + podCidr + "\": too small, no address for pods");
        }
        this.range = IpRange.of(cidr, FIRST, (int) count);
        this.file = stateDir == null ? null : stateDir.resolve(FILE_NAME);
        this.held = load();
    }

    public Cidr cidr() {
        return cidr;
    }

    /** The address a bridge in front of the pods holds (network + 1). */
    public String gateway() {
        return IpAddresses.format(cidr.address(BigInteger.ONE).getAddress());
    }

    /**
     * IPs for exactly {@code podKeys} (`namespace/name`): existing Pods keep theirs, Pods gone free
     * theirs, new Pods get a free one (absent from the map when the pool is full). {@code reserved}
     * are addresses taken by other means (Pods given with an IP) and never handed out.
     */
    public synchronized Map<String, String> reconcile(Collection<String> podKeys, Set<String> reserved) {
        Map<String, String> before = held;
        Map<String, String> next = reconcileKeys(podKeys, reserved);
        if (!next.equals(before)) {
            save();
        }
        return next;
    }

    /** Assigns {@code podKeys} against {@link #held} (which becomes exactly theirs); no save. */
    private Map<String, String> reconcileKeys(Collection<String> podKeys, Set<String> reserved) {
        Set<String> wanted = new TreeSet<>(podKeys);
        Map<String, String> next = new TreeMap<>();
        range.bitmap().clear();
        Set<String> usedOutside = new HashSet<>();
        for (String r : reserved) {
            take(canonical(r), usedOutside);
        }
        for (String key : wanted) {
            String ip = held.get(key);
            if (ip != null && take(ip, usedOutside)) {
                next.put(key, ip);
            }
        }
        for (String key : wanted) {
            if (next.containsKey(key)) {
                continue;
            }
            // The first free address at or after the one the key hashes to, wrapping once.
            long start = Integer.toUnsignedLong(key.hashCode() * 0x9E3779B1) % range.bitmap().size();
            String ip = range.claimFrom((int) start);
            if (ip == null) {
                log.warn("--pod-cidr {} is full: no IP for Pod {}", cidr, key);
                continue;
            }
            next.put(key, ip);
        }
        held = next;
        return Map.copyOf(next);
    }

    /**
     * Marks {@code ip} used; false when it already was or is outside the CIDR. An address in the
     * CIDR that pods are never given (network, gateway, broadcast, past the cap) has no slot, yet
     * an older state file may hold it: such addresses are tracked in {@code usedOutside}.
     */
    private boolean take(String ip, Set<String> usedOutside) {
        int slot = range.slotOf(ip);
        if (slot >= 0) {
            return range.bitmap().claim(slot);
        }
        return cidr.contains(ip) && usedOutside.add(ip);
    }

    /**
     * {@link #reconcile} for the Pods of one namespace: the other namespaces' Pods keep what they hold.
     *
     * @return the IPs of this namespace's Pods
     */
    public synchronized Map<String, String> reconcile(String namespace, Collection<String> podKeys, Set<String> reserved) {
        String prefix = namespace + "/";
        Map<String, String> others = new TreeMap<>();
        held.forEach((k, ip) -> {
            if (!k.startsWith(prefix)) {
                others.put(k, ip);
            }
        });
        Set<String> taken = new HashSet<>(reserved);
        taken.addAll(others.values());
        Map<String, String> before = held;
        held = new TreeMap<>(before);
        held.keySet().removeIf(k -> !k.startsWith(prefix));
        Map<String, String> mine = reconcileKeys(podKeys, taken);
        Map<String, String> all = new TreeMap<>(others);
        all.putAll(held);
        held = all;
        if (!held.equals(before)) {
            save();
        }
        return mine;
    }

    private static String canonical(String ip) {
        try {
            return IpAddresses.canonical(ip);
        } catch (IllegalArgumentException e) {
            return ip;
        }
    }

    private Map<String, String> load() {
        if (file == null || !Files.exists(file)) {
            return new HashMap<>();
        }
        try {
            State s = json.readValue(file.toFile(), State.class);
            if (s == null || s.version() != 1 || s.pods() == null) {
                throw new IOException("unsupported version");
            }
            Map<String, String> out = new HashMap<>();
            s.pods().forEach((k, v) -> {
                if (k != null && v != null && cidr.contains(v)) {
                    out.put(k, canonical(v));
                }
            });
            return out;
        } catch (IOException | RuntimeException e) {
            log.error("pod IP state {} is unreadable ({}); starting with no pod IPs", file, e.getMessage());
            return new HashMap<>();
        }
    }

    /** Temp file and rename, so a crash leaves the old or the new file. */
    private void save() {
        if (file == null) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), ".pod-ips-", ".tmp");
            try {
                Files.write(tmp, json.writeValueAsString(new State(1, cidr.toString(), held)).getBytes(StandardCharsets.UTF_8));
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            log.error("cannot save pod IPs to {}: {}", file, e.getMessage());
        }
    }

    /** For tests and `get`: the addresses pods may get, first and last. */
    List<String> bounds() {
        return List.of(range.addressOf(0), range.addressOf(range.bitmap().size() - 1));
    }
}
