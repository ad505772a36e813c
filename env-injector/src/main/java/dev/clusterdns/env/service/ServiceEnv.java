package dev.clusterdns.env.service;

import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * kubelet's service environment variables (`pkg/kubelet/envvars`, `getServiceEnvVarMap`): which
 * Services a pod sees and the `<NAME>_SERVICE_HOST` / Docker-link variables each one gives.
 */
public final class ServiceEnv {

    /** The one "master service" kubelet always injects, whatever `enableServiceLinks` says. */
    static final String MASTER_NAMESPACE = "default";
    static final String MASTER_SERVICE = "kubernetes";

    /** From here on a namespace's service variables get a warning (kubernetes #92615: slow start). */
    static final int WARN_SERVICES = 1000;
    /** Half of the usual execve limit (ARG_MAX = 1/4 of an 8 MiB stack = 2 MiB for argv + envp). */
    static final long WARN_BYTES = 1L << 20;

    private ServiceEnv() {}

    /**
     * The Services whose variables a pod in {@code namespace} gets, sorted by name: every Service of
     * the namespace with a ClusterIP when service links are on, and `default/kubernetes` unless a
     * same-namespace Service of that name shadows it.
     */
    public static List<Service> visibleTo(ClusterSnapshot snapshot, String namespace, boolean serviceLinks) {
        Map<String, Service> byName = new TreeMap<>();
        // The master service goes in first and only if free; namespace Services always overwrite.
        snapshot.service(MASTER_NAMESPACE, MASTER_SERVICE)
                .filter(Service::hasClusterIP)
                .ifPresent(s -> byName.put(s.name(), s));
        if (serviceLinks) {
            for (Service s : snapshot.services(namespace)) {
                if (s.hasClusterIP()) {
                    byName.put(s.name(), s);
                }
            }
        }
        return List.copyOf(byName.values());
    }

    /** The variables of the Services visible to a pod in {@code namespace}, flattened (last writer wins). */
    public static Map<String, String> forNamespace(ClusterSnapshot snapshot, String namespace, boolean serviceLinks) {
        return variables(visibleTo(snapshot, namespace, serviceLinks));
    }

    /**
     * The variables of these Services in input order, each Service's in kubelet's order; Services
     * without a ClusterIP (headless, ExternalName, unallocated) leave no trace.
     */
    public static Map<String, String> variables(List<Service> services) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Service s : services) {
            if (s.hasClusterIP()) {
                append(s, out);
            }
        }
        return Collections.unmodifiableMap(out);
    }

    private static void append(Service s, Map<String, String> out) {
        String prefix = mangle(s.name());
        // Copied as stored: an upper-case or uncompressed IPv6 spelling stays as written.
        String ip = s.spec().clusterIP();
        List<ServicePort> ports = s.spec().ports();
        out.put(prefix + "_SERVICE_HOST", ip);
        if (ports.isEmpty()) {
            return;
        }
        ServicePort first = ports.get(0);
        out.put(prefix + "_SERVICE_PORT", port(first));
        for (ServicePort p : ports) {
            if (p.name() != null && !p.name().isEmpty()) {
                out.put(prefix + "_SERVICE_PORT_" + mangle(p.name()), port(p));
            }
        }
        out.put(prefix + "_PORT", url(first, ip));
        for (ServicePort p : ports) {
            String proto = p.protocolOrTcp();
            String x = prefix + "_PORT_" + port(p) + "_" + proto.toUpperCase(Locale.ROOT);
            out.put(x, url(p, ip));
            out.put(x + "_PROTO", proto.toLowerCase(Locale.ROOT));
            out.put(x + "_PORT", port(p));
            out.put(x + "_ADDR", ip);
        }
    }

    /** Upper case, `-` to `_`; nothing else (current kubelet neither maps `.` nor prefixes digits). */
    public static String mangle(String name) {
        return name.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private static String port(ServicePort p) {
        return String.valueOf(p.port() == null ? 0 : p.port());
    }

    /** `proto://host:port` as Go's net.JoinHostPort writes it: brackets iff the host has a colon. */
    private static String url(ServicePort p, String ip) {
        String host = ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip;
        return p.protocolOrTcp().toLowerCase(Locale.ROOT) + "://" + host + ":" + port(p);
    }

    /**
     * Bytes these variables take in a process environment (`NAME=value\0` plus one pointer each),
     * the figure execve's E2BIG limit counts.
     */
    public static long environmentBytes(Map<String, String> variables) {
        long total = 0;
        for (Map.Entry<String, String> e : variables.entrySet()) {
            total += e.getKey().getBytes(StandardCharsets.UTF_8).length + 1
                    + e.getValue().getBytes(StandardCharsets.UTF_8).length + 1 + Long.BYTES;
        }
        return total;
    }

    /**
     * A warning when a namespace's service variables approach the size where starting a process
     * fails with "argument list too long" (about 2,000 Services; 1,000 already slow start-up).
     */
    public static Optional<String> sizeWarning(String namespace, int services, Map<String, String> variables) {
        long bytes = environmentBytes(variables);
        if (services < WARN_SERVICES && bytes < WARN_BYTES) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT,
                "namespace %s: %d Services give %d service variables (%d bytes of environment); around 2,000"
                        + " Services exec fails with \"argument list too long\" (E2BIG) and from 1,000 process"
                        + " start-up slows down; consider enableServiceLinks: false and DNS names instead",
                namespace, services, variables.size(), bytes));
    }

    /** {@link #sizeWarning} for what a pod in {@code namespace} with service links on would get. */
    public static Optional<String> sizeWarning(ClusterSnapshot snapshot, String namespace) {
        List<Service> visible = visibleTo(snapshot, namespace, true);
        return sizeWarning(namespace, visible.size(), variables(visible));
    }
}
