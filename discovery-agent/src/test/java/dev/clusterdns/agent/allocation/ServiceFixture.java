package dev.clusterdns.agent.allocation;

import dev.clusterdns.agent.AgentConfig;
import dev.clusterdns.agent.model.IntOrString;
import dev.clusterdns.agent.model.ObjectMeta;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import dev.clusterdns.agent.model.ServiceSpec;
import dev.clusterdns.agent.validation.FieldError;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** Builds Services as the agent hands them to the allocator (defaulted, statically valid). */
final class ServiceFixture {
    private String namespace = "default";
    private final String name;
    private String type = Service.TYPE_CLUSTER_IP;
    private String clusterIP;
    private List<String> clusterIPs = List.of();
    private List<String> ipFamilies = List.of();
    private String ipFamilyPolicy;
    private final List<ServicePort> ports = new ArrayList<>();
    private String created;
    private String loadBalancerIP;
    private String externalTrafficPolicy;
    private Integer healthCheckNodePort;
    private Boolean allocateLoadBalancerNodePorts;

    private ServiceFixture(String name) {
        this.name = name;
    }

    static ServiceFixture service(String name) {
        return new ServiceFixture(name);
    }

    ServiceFixture namespace(String ns) {
        this.namespace = ns;
        return this;
    }

    ServiceFixture type(String t) {
        this.type = t;
        if (!Service.TYPE_CLUSTER_IP.equals(t) && !Service.TYPE_EXTERNAL_NAME.equals(t) && externalTrafficPolicy == null) {
            externalTrafficPolicy = "Cluster";
        }
        return this;
    }

    ServiceFixture clusterIPs(String... ips) {
        this.clusterIP = ips[0];
        this.clusterIPs = ips[0].equals(Service.CLUSTER_IP_NONE) ? List.of() : List.of(ips);
        return this;
    }

    ServiceFixture headless() {
        this.clusterIP = Service.CLUSTER_IP_NONE;
        return this;
    }

    ServiceFixture families(String policy, String... families) {
        this.ipFamilyPolicy = policy;
        this.ipFamilies = List.of(families);
        return this;
    }

    ServiceFixture port(String protocol, int port) {
        return port(protocol, port, null);
    }

    ServiceFixture port(String protocol, int port, Integer nodePort) {
        ports.add(new ServicePort(protocol.toLowerCase() + "-" + port, protocol, null, port, IntOrString.of(port), nodePort));
        return this;
    }

    /** A port without a port number (validation refuses it; the allocator is also usable without validation). */
    ServiceFixture portWithoutNumber(String protocol, Integer nodePort) {
        ports.add(new ServicePort(null, protocol, null, null, null, nodePort));
        return this;
    }

    ServiceFixture created(String timestamp) {
        this.created = timestamp;
        return this;
    }

    ServiceFixture loadBalancerIP(String ip) {
        this.loadBalancerIP = ip;
        return this;
    }

    ServiceFixture local() {
        this.externalTrafficPolicy = "Local";
        return this;
    }

    ServiceFixture healthCheckNodePort(int port) {
        this.healthCheckNodePort = port;
        return this;
    }

    ServiceFixture noLoadBalancerNodePorts() {
        this.allocateLoadBalancerNodePorts = false;
        return this;
    }

    Service build() {
        List<ServicePort> p = ports.isEmpty() && clusterIP == null
                ? List.of(new ServicePort(null, "TCP", null, 80, IntOrString.of(8080), null)) : ports;
        if (Service.TYPE_EXTERNAL_NAME.equals(type)) {
            p = List.of();
        }
        Boolean allocate = Service.TYPE_LOAD_BALANCER.equals(type) && allocateLoadBalancerNodePorts == null
                ? Boolean.TRUE : allocateLoadBalancerNodePorts;
        ServiceSpec spec = new ServiceSpec(type, Map.of("app", name), p, clusterIP, clusterIPs, ipFamilies,
                ipFamilyPolicy, Service.TYPE_EXTERNAL_NAME.equals(type) ? "example.com" : null, null, "None", null,
                loadBalancerIP, null, null, externalTrafficPolicy, "Cluster", healthCheckNodePort, false, allocate, null);
        ObjectMeta meta = ObjectMeta.of(namespace, name).withCreationTimestamp(created);
        return new Service("v1", "Service", meta, spec, null);
    }

    // ---- allocator and result helpers ----------------------------------------------------------

    static AgentConfig config(List<String> serviceCidrs, String nodePortRange, String loadBalancerCidr, Path stateDir) {
        return new AgentConfig(List.of(), stateDir, serviceCidrs, nodePortRange, loadBalancerCidr, null);
    }

    static final Clock FIXED_CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    static ServiceAllocator allocator(AgentConfig config, long seed) {
        return new ServiceAllocator(config, new SplittableRandom(seed), FIXED_CLOCK);
    }

    static Service find(Allocations a, String name) {
        return a.services().stream()
                .filter(s -> s.metadata().name().equals(name))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " not allocated; rejected: " + a.rejected()));
    }

    static String ip(Allocations a, String name) {
        return find(a, name).spec().clusterIP();
    }

    static List<Integer> nodePorts(Allocations a, String name) {
        return find(a, name).spec().ports().stream().map(ServicePort::nodePort).toList();
    }

    /** The rendered errors of a rejected Service (in the default namespace). */
    static List<String> errors(Allocations a, String name) {
        List<FieldError> e = a.rejected().get("default/" + name);
        if (e == null) {
            throw new AssertionError(name + " was not rejected");
        }
        return e.stream().map(FieldError::render).toList();
    }

    static int lastOctet(String ip) {
        return Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1));
    }
}
