package dev.clusterdns.agent.allocation;

import dev.clusterdns.agent.allocation.AllocationState.Holder;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import dev.clusterdns.agent.model.ServiceSpec;
import dev.clusterdns.agent.validation.FieldError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * NodePorts and health-check NodePorts from `--node-port-range`. No two Services share a nodePort;
 * within one Service, ports with the same number under different protocols (53/TCP, 53/UDP) do.
 */
final class NodePortPool {
    /** The Service port number standing for the health check, which shares with nothing. */
    private static final int HEALTH_CHECK = -1;

    private final PortRange range;

    /** @throws IllegalArgumentException when {@code rangeText} is not `A-B` within 1-65535 */
    NodePortPool(String rangeText) {
        this.range = PortRange.parse(rangeText);
    }

    /**
     * Frees the ports {@code held} names, and {@code unrecorded} ones (see {@link Request#unrecorded}),
     * before their Service is planned again, or when it is gone. A port two Service ports share
     * (53/TCP, 53/UDP) is named twice; freeing it again changes nothing.
     */
    void release(Holder held, int[] unrecorded) {
        for (AllocationState.NodePort np : held.nodePorts()) {
            range.free(np.nodePort());
        }
        if (held.healthCheckNodePort() != null) {
            range.free(held.healthCheckNodePort());
        }
        for (int port : unrecorded) {
            range.free(port);
        }
    }

    /**
     * What a Service of {@code type} needs: a nodePort per port for NodePort Services and
     * LoadBalancers (unless they opt out, when only explicit ones are honoured), and a health-check
     * port for LoadBalancers with `externalTrafficPolicy: Local`.
     */
    Request request(ServiceSpec spec, String type) {
        if (Service.TYPE_EXTERNAL_NAME.equals(type)) {
            return new Request(spec, new boolean[0], false);
        }
        boolean loadBalancer = Service.TYPE_LOAD_BALANCER.equals(type);
        boolean allocateAll = Service.TYPE_NODE_PORT.equals(type)
                || loadBalancer && !Boolean.FALSE.equals(spec.allocateLoadBalancerNodePorts());
        List<ServicePort> ports = spec.ports();
        boolean[] needed = new boolean[ports.size()];
        for (int i = 0; i < ports.size(); i++) {
            // Explicit nodePorts are honoured even when a LoadBalancer opts out of allocation.
            needed[i] = allocateAll || loadBalancer && positive(ports.get(i).nodePort());
        }
        return new Request(spec, needed, loadBalancer && "Local".equals(spec.externalTrafficPolicy()));
    }

    private static boolean positive(Integer n) {
        return n != null && n > 0;
    }

    private static int servicePortNumber(ServicePort p) {
        return p.port() == null ? 0 : p.port();
    }

    private String notInRange() {
        return "provided port is not in the valid range. The range of valid ports is " + range;
    }

    /** One Service's nodePorts: what it asks for and what it holds so far. */
    final class Request {
        private final ServiceSpec spec;
        private final boolean[] needed;
        /** One per Service port; null until taken (and for ports that need none). */
        private final Integer[] nodePorts;
        private final boolean needsHealthCheck;
        private Integer healthCheckNodePort;
        /** nodePort → the Service port number using it ({@link #HEALTH_CHECK} for the health check). */
        private final Map<Integer, Integer> owned = new HashMap<>();

        private Request(ServiceSpec spec, boolean[] needed, boolean needsHealthCheck) {
            this.spec = spec;
            this.needed = needed;
            this.nodePorts = new Integer[needed.length];
            this.needsHealthCheck = needsHealthCheck;
        }

        /** Re-takes what {@code prior} held, where the spec does not ask for another port. */
        void takeHeld(Holder prior) {
            List<ServicePort> ports = spec.ports();
            for (int i = 0; i < nodePorts.length; i++) {
                if (!needed[i]) {
                    continue;
                }
                ServicePort p = ports.get(i);
                Integer held = p.port() == null ? null : prior.nodePort(p.protocolOrTcp(), p.port());
                if (held != null && (!positive(p.nodePort()) || p.nodePort().equals(held))
                        && claim(held, servicePortNumber(p), null) == Claim.TAKEN) {
                    nodePorts[i] = held;
                }
            }
            Integer heldCheck = prior.healthCheckNodePort();
            Integer explicitCheck = spec.healthCheckNodePort();
            if (needsHealthCheck && heldCheck != null && (!positive(explicitCheck) || explicitCheck.equals(heldCheck))
                    && claim(heldCheck, HEALTH_CHECK, null) == Claim.TAKEN) {
                healthCheckNodePort = heldCheck;
            }
        }

        /** Takes the ports the spec asks for; what it takes can be given back by {@code undo}. */
        void takeExplicit(List<FieldError> errors, List<Runnable> undo) {
            List<ServicePort> ports = spec.ports();
            for (int i = 0; i < nodePorts.length; i++) {
                ServicePort p = ports.get(i);
                if (!needed[i] || nodePorts[i] != null || !positive(p.nodePort())) {
                    continue;
                }
                String field = "spec.ports[" + i + "].nodePort";
                switch (claim(p.nodePort(), servicePortNumber(p), undo)) {
                    case TAKEN -> {
                        int index = i;
                        nodePorts[i] = p.nodePort();
                        undo.add(() -> nodePorts[index] = null);
                    }
                    case IN_USE -> errors.add(FieldError.invalid(field, p.nodePort(), "provided port is already allocated"));
                    case OUT_OF_RANGE -> errors.add(FieldError.invalid(field, p.nodePort(), notInRange()));
                }
            }
            Integer check = spec.healthCheckNodePort();
            if (needsHealthCheck && healthCheckNodePort == null && positive(check)) {
                String field = "spec.healthCheckNodePort";
                switch (claim(check, HEALTH_CHECK, undo)) {
                    case TAKEN -> {
                        healthCheckNodePort = check;
                        undo.add(() -> healthCheckNodePort = null);
                    }
                    case IN_USE -> errors.add(FieldError.invalid(field, check, "provided port is already allocated"));
                    case OUT_OF_RANGE -> errors.add(FieldError.invalid(field, check, notInRange()));
                }
            }
        }

        /** Picks a port for everything still without one; false (with an error) when the range is full. */
        boolean takeDynamic(List<FieldError> errors, List<Runnable> undo, ScanStart start) {
            List<ServicePort> ports = spec.ports();
            for (int i = 0; i < nodePorts.length; i++) {
                if (!needed[i] || nodePorts[i] != null) {
                    continue;
                }
                Integer port = next(servicePortNumber(ports.get(i)), errors, undo, start);
                if (port == null) {
                    return false;
                }
                int index = i;
                nodePorts[i] = port;
                undo.add(() -> nodePorts[index] = null);
            }
            if (needsHealthCheck && healthCheckNodePort == null) {
                Integer port = next(HEALTH_CHECK, errors, undo, start);
                if (port == null) {
                    return false;
                }
                healthCheckNodePort = port;
                undo.add(() -> healthCheckNodePort = null);
            }
            return true;
        }

        /**
         * Takes {@code port} for the Service port numbered {@code servicePort}: again for a port
         * number this Service already uses it for. With {@code undo} the claim can be given back.
         */
        private Claim claim(int port, int servicePort, List<Runnable> undo) {
            Integer owner = owned.get(port);
            if (owner != null) {
                return owner == servicePort && servicePort != HEALTH_CHECK ? Claim.TAKEN : Claim.IN_USE;
            }
            Claim c = range.claim(port);
            if (c != Claim.TAKEN) {
                return c;
            }
            owned.put(port, servicePort);
            if (undo != null) {
                undo.add(() -> {
                    range.free(port);
                    owned.remove(port);
                });
            }
            return Claim.TAKEN;
        }

        /**
         * A nodePort for the Service port numbered {@code servicePort}: the one this Service already
         * uses for the same port number under another protocol, else a new one. Null (with an error
         * recorded) when the range is full.
         */
        private Integer next(int servicePort, List<FieldError> errors, List<Runnable> undo, ScanStart start) {
            if (servicePort != HEALTH_CHECK) {
                for (Map.Entry<Integer, Integer> e : owned.entrySet()) {
                    if (e.getValue() == servicePort) {
                        return e.getKey();
                    }
                }
            }
            int port = range.claimNext(start.forClaim("nodePort/" + servicePort));
            if (port < 0) {
                errors.add(FieldError.internal("", "failed to allocate a nodePort: range is full"));
                return null;
            }
            owned.put(port, servicePort);
            undo.add(() -> {
                range.free(port);
                owned.remove(port);
            });
            return port;
        }

        /**
         * The nodePorts held that {@link #held()} cannot list (their Service port has no number),
         * which {@link NodePortPool#release} must free too; almost always none.
         */
        int[] unrecorded() {
            List<ServicePort> ports = spec.ports();
            int[] out = new int[0];
            for (int i = 0; i < nodePorts.length; i++) {
                if (nodePorts[i] != null && ports.get(i).port() == null) {
                    out = Arrays.copyOf(out, out.length + 1);
                    out[out.length - 1] = nodePorts[i];
                }
            }
            return out;
        }

        /** The nodePorts held, one per Service port (protocol, port) that has one. */
        List<AllocationState.NodePort> held() {
            List<AllocationState.NodePort> out = new ArrayList<>();
            List<ServicePort> ports = spec.ports();
            for (int i = 0; i < nodePorts.length; i++) {
                ServicePort p = ports.get(i);
                if (nodePorts[i] != null && p.port() != null) {
                    out.add(new AllocationState.NodePort(p.protocolOrTcp(), p.port(), nodePorts[i]));
                }
            }
            return out;
        }

        /** Null when none is held. */
        Integer healthCheckNodePort() {
            return healthCheckNodePort;
        }

        /** {@code out} with the nodePorts and the health-check port filled in. */
        ServiceSpec render(ServiceSpec out) {
            if (nodePorts.length > 0) {
                List<ServicePort> ports = new ArrayList<>(out.ports());
                boolean changed = false;
                for (int i = 0; i < ports.size(); i++) {
                    if (needed[i] && !nodePorts[i].equals(ports.get(i).nodePort())) {
                        ports.set(i, ports.get(i).withNodePort(nodePorts[i]));
                        changed = true;
                    }
                }
                if (changed) {
                    out = out.withPorts(ports);
                }
            }
            if (needsHealthCheck) {
                out = out.withHealthCheckNodePort(healthCheckNodePort);
            }
            return out;
        }
    }
}
