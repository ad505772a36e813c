package dev.clusterdns.proxy;

import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.IntOrString;
import dev.clusterdns.agent.model.LoadBalancerIngress;
import dev.clusterdns.agent.model.LoadBalancerStatus;
import dev.clusterdns.agent.model.ObjectMeta;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import dev.clusterdns.agent.model.ServiceSpec;
import dev.clusterdns.agent.model.ServiceStatus;
import dev.clusterdns.agent.model.SessionAffinityConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Hand-made Services and EndpointSlices, shaped as the agent publishes them. */
final class Fixtures {
    private Fixtures() {}

    /** A Service under construction; {@link #build()} makes the record. */
    static final class Svc {
        final String ns;
        final String name;
        String type = "ClusterIP";
        String clusterIP;
        final List<ServicePort> ports = new ArrayList<>();
        List<String> externalIPs = List.of();
        String sessionAffinity;
        Integer affinityTimeout;
        List<String> sourceRanges = List.of();
        String externalTrafficPolicy;
        String internalTrafficPolicy;
        List<String> lbIps = List.of();

        Svc(String ns, String name) {
            this.ns = ns;
            this.name = name;
        }

        Svc clusterIP(String ip) {
            this.clusterIP = ip;
            return this;
        }

        Svc type(String t) {
            this.type = t;
            return this;
        }

        Svc port(String portName, String protocol, int port, Object targetPort, Integer nodePort) {
            IntOrString target = targetPort instanceof Integer i ? IntOrString.of(i) : IntOrString.of((String) targetPort);
            ports.add(new ServicePort(portName, protocol, null, port, target, nodePort));
            return this;
        }

        Svc tcp(String portName, int port) {
            return port(portName, "TCP", port, port, null);
        }

        Svc affinity(int timeoutSeconds) {
            sessionAffinity = "ClientIP";
            affinityTimeout = timeoutSeconds;
            return this;
        }

        Svc loadBalancer(String ip, String... ranges) {
            type = "LoadBalancer";
            lbIps = List.of(ip);
            sourceRanges = List.of(ranges);
            return this;
        }

        Svc externalIPs(String... ips) {
            externalIPs = List.of(ips);
            return this;
        }

        Svc internalLocal() {
            internalTrafficPolicy = "Local";
            return this;
        }

        Svc externalLocal() {
            externalTrafficPolicy = "Local";
            return this;
        }

        Service build() {
            SessionAffinityConfig sac = affinityTimeout == null ? null
                    : new SessionAffinityConfig(new SessionAffinityConfig.ClientIPConfig(affinityTimeout));
            ServiceSpec spec = new ServiceSpec(type, Map.of("app", name), ports, clusterIP, List.of(clusterIP),
                    List.of("IPv4"), "SingleStack", null, externalIPs, sessionAffinity, sac, null, sourceRanges, null,
                    externalTrafficPolicy, internalTrafficPolicy, null, null, null, null);
            ServiceStatus status = new ServiceStatus(new LoadBalancerStatus(
                    lbIps.stream().map(ip -> new LoadBalancerIngress(ip, null, "VIP")).toList()));
            return new Service("v1", "Service", ObjectMeta.of(ns, name), spec, status);
        }
    }

    static Svc svc(String ns, String name) {
        return new Svc(ns, name);
    }

    /** A ready endpoint on no particular node. */
    static EndpointSlice.Endpoint ready(String ip) {
        return endpoint(ip, true, true, false, null);
    }

    static EndpointSlice.Endpoint endpoint(String ip, Boolean ready, Boolean serving, Boolean terminating, String node) {
        return new EndpointSlice.Endpoint(List.of(ip), new EndpointSlice.Conditions(ready, serving, terminating),
                null, node, null, null);
    }

    static EndpointPort port(String name, int port) {
        return new EndpointPort(name, port, "TCP", null);
    }

    static EndpointPort udpPort(String name, int port) {
        return new EndpointPort(name, port, "UDP", null);
    }

    static EndpointSlice slice(String ns, String service, List<EndpointSlice.Endpoint> endpoints, List<EndpointPort> ports) {
        ObjectMeta meta = new ObjectMeta(service + "-abc", null, ns, null, null,
                Map.of(EndpointSlice.SERVICE_NAME_LABEL, service), null, null, null);
        return new EndpointSlice("discovery.k8s.io/v1", "EndpointSlice", meta, "IPv4", endpoints, ports);
    }
}
