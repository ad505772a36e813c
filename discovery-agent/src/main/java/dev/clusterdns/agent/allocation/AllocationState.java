package dev.clusterdns.agent.allocation;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything the allocator must remember across restarts: what each Service holds and the order
 * in which Services were first seen. Written as `allocations.json` in the state directory.
 *
 * @param version format version, {@link #VERSION}
 * @param nextSequence the sequence number the next newly seen Service gets
 * @param services by `namespace/name`
 */
record AllocationState(int version, long nextSequence, Map<String, Holder> services) {
    static final int VERSION = 1;

    AllocationState {
        // Sorted only when written (see StateFile): sorting 10k keys on every rebuild is wasted work.
        services = services == null ? Map.of() : Collections.unmodifiableMap(new HashMap<>(services));
    }

    static AllocationState empty() {
        return new AllocationState(VERSION, 1, Map.of());
    }

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
