package dev.clusterdns.agent.validation;

import dev.clusterdns.agent.model.ConfigMap;
import dev.clusterdns.agent.model.Container;
import dev.clusterdns.agent.model.ContainerPort;
import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.IntOrString;
import dev.clusterdns.agent.model.Namespace;
import dev.clusterdns.agent.model.ObjectMeta;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.PodSpec;
import dev.clusterdns.agent.model.PodStatus;
import dev.clusterdns.agent.model.Secret;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import dev.clusterdns.agent.model.ServiceSpec;
import dev.clusterdns.agent.model.SessionAffinityConfig;
import dev.clusterdns.agent.model.Workload;
import java.util.ArrayList;
import java.util.List;

/**
 * The API server's defaulting on create (`SetDefaults_*` of core/v1 plus the Service strategy's
 * clusterIP normalisation), applied before validation. Pure functions: each returns a new object.
 * Namespaced kinds without a namespace land in `default`, as `kubectl apply` would put them.
 */
public final class Defaults {
    private Defaults() {}

    public static final String DEFAULT_NAMESPACE = "default";
    public static final int DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

    public static Service service(Service s) {
        ServiceSpec sp = s.spec();
        String type = blank(sp.type()) ? Service.TYPE_CLUSTER_IP : sp.type();
        String affinity = blank(sp.sessionAffinity()) ? "None" : sp.sessionAffinity();
        SessionAffinityConfig affinityConfig = sp.sessionAffinityConfig();
        if (affinity.equals("None")) {
            affinityConfig = null;
        } else if (affinity.equals("ClientIP") && (affinityConfig == null || affinityConfig.clientIP() == null
                || affinityConfig.clientIP().timeoutSeconds() == null)) {
            affinityConfig = new SessionAffinityConfig(
                    new SessionAffinityConfig.ClientIPConfig(DEFAULT_AFFINITY_TIMEOUT_SECONDS));
        }

        List<ServicePort> ports = new ArrayList<>();
        for (ServicePort p : sp.ports()) {
            String protocol = blank(p.protocol()) ? "TCP" : p.protocol();
            IntOrString target = p.targetPort();
            boolean unset = target == null || (target.isInt() ? target.intValue() == 0 : target.stringValue().isEmpty());
            if (unset) {
                target = IntOrString.of(p.port() == null ? 0 : p.port());
            }
            ports.add(new ServicePort(p.name(), protocol, p.appProtocol(), p.port(), target, p.nodePort()));
        }

        // The strategy links clusterIP and clusterIPs: a lone clusterIP becomes clusterIPs[0].
        List<String> clusterIPs = sp.clusterIPs();
        if (!blank(sp.clusterIP()) && clusterIPs.isEmpty()) {
            clusterIPs = List.of(sp.clusterIP());
        }
        boolean externalName = type.equals(Service.TYPE_EXTERNAL_NAME);
        List<String> families = sp.ipFamilies();
        String familyPolicy = sp.ipFamilyPolicy();
        if (!externalName) {
            if (families.isEmpty()) {
                families = familiesOf(clusterIPs);
            }
            if (familyPolicy == null) {
                // Two families (or two IPs) can only mean dual stack; otherwise one family.
                familyPolicy = sp.ipFamilies().size() == 2 || clusterIPs.size() == 2 ? "RequireDualStack" : "SingleStack";
            }
        }

        ServiceSpec probe = new ServiceSpec(type, sp.selector(), ports, sp.clusterIP(), clusterIPs, families,
                familyPolicy, sp.externalName(), sp.externalIPs(), affinity, affinityConfig, sp.loadBalancerIP(),
                sp.loadBalancerSourceRanges(), sp.loadBalancerClass(), sp.externalTrafficPolicy(),
                sp.internalTrafficPolicy(), sp.healthCheckNodePort(), sp.publishNotReadyAddresses(),
                sp.allocateLoadBalancerNodePorts(), sp.trafficDistribution());
        String etp = sp.externalTrafficPolicy();
        if (blank(etp) && ServiceChecks.externallyAccessible(probe)) {
            etp = "Cluster";
        }
        String itp = sp.internalTrafficPolicy();
        if (itp == null && !externalName && List.of(Service.TYPE_CLUSTER_IP, Service.TYPE_NODE_PORT,
                Service.TYPE_LOAD_BALANCER).contains(type)) {
            itp = "Cluster";
        }
        Boolean allocateNodePorts = sp.allocateLoadBalancerNodePorts();
        if (allocateNodePorts == null && type.equals(Service.TYPE_LOAD_BALANCER)) {
            allocateNodePorts = Boolean.TRUE;
        }
        Boolean publishNotReady = sp.publishNotReadyAddresses() == null ? Boolean.FALSE : sp.publishNotReadyAddresses();

        ServiceSpec spec = new ServiceSpec(type, sp.selector(), ports, sp.clusterIP(), clusterIPs, families,
                familyPolicy, sp.externalName(), sp.externalIPs(), affinity, affinityConfig, sp.loadBalancerIP(),
                sp.loadBalancerSourceRanges(), sp.loadBalancerClass(), etp, itp, sp.healthCheckNodePort(),
                publishNotReady, allocateNodePorts, sp.trafficDistribution());
        return new Service(or(s.apiVersion(), "v1"), or(s.kind(), "Service"), namespaced(s.metadata()), spec,
                s.status());
    }

    public static Pod pod(Pod p) {
        PodSpec spec = podSpec(p.spec());
        PodStatus st = p.status();
        if (blank(st.phase()) && !p.podIPs().isEmpty()) {
            // A hand-written pod with an IP is one that runs; the API would have its kubelet say so.
            st = new PodStatus("Running", st.podIP(), st.podIPs(), st.hostIP(), st.conditions());
        }
        return new Pod(or(p.apiVersion(), "v1"), or(p.kind(), "Pod"), namespaced(p.metadata()), spec, st);
    }

    /** `SetDefaults_PodSpec` and the container defaults that matter here. */
    static PodSpec podSpec(PodSpec s) {
        boolean hostNetwork = s.usesHostNetwork();
        return new PodSpec(containers(s.containers(), hostNetwork), containers(s.initContainers(), hostNetwork),
                s.hostname(), s.subdomain(), s.nodeName(), s.hostNetwork(),
                blank(s.dnsPolicy()) ? "ClusterFirst" : s.dnsPolicy(), s.dnsConfig(),
                s.enableServiceLinks() == null ? Boolean.TRUE : s.enableServiceLinks(),
                blank(s.restartPolicy()) ? "Always" : s.restartPolicy(), s.serviceAccountName(), s.nodeSelector());
    }

    private static List<Container> containers(List<Container> in, boolean hostNetwork) {
        List<Container> out = new ArrayList<>();
        for (Container c : in) {
            List<ContainerPort> ports = new ArrayList<>();
            for (ContainerPort cp : c.ports()) {
                Integer hostPort = cp.hostPort();
                // With host networking the container port is the host port.
                if (hostNetwork && (hostPort == null || hostPort == 0)) {
                    hostPort = cp.containerPort();
                }
                ports.add(new ContainerPort(cp.name(), cp.containerPort(), hostPort,
                        blank(cp.protocol()) ? "TCP" : cp.protocol(), cp.hostIP()));
            }
            out.add(new Container(c.name(), c.image(), c.command(), c.args(), ports, c.env(), c.envFrom(),
                    c.restartPolicy(), c.readinessProbe()));
        }
        return out;
    }

    public static EndpointSlice endpointSlice(EndpointSlice s) {
        List<EndpointPort> ports = new ArrayList<>();
        for (EndpointPort p : s.ports()) {
            ports.add(new EndpointPort(p.name() == null ? "" : p.name(), p.port(),
                    blank(p.protocol()) ? "TCP" : p.protocol(), p.appProtocol()));
        }
        return new EndpointSlice(or(s.apiVersion(), "discovery.k8s.io/v1"), or(s.kind(), "EndpointSlice"),
                namespaced(s.metadata()), s.addressType(), s.endpoints(), ports);
    }

    public static Endpoints endpoints(Endpoints e) {
        List<Endpoints.Subset> subsets = new ArrayList<>();
        for (Endpoints.Subset ss : e.subsets()) {
            List<EndpointPort> ports = new ArrayList<>();
            for (EndpointPort p : ss.ports()) {
                ports.add(new EndpointPort(p.name(), p.port(), blank(p.protocol()) ? "TCP" : p.protocol(),
                        p.appProtocol()));
            }
            subsets.add(new Endpoints.Subset(ss.addresses(), ss.notReadyAddresses(), ports));
        }
        return new Endpoints(or(e.apiVersion(), "v1"), or(e.kind(), "Endpoints"), namespaced(e.metadata()), subsets);
    }

    public static ConfigMap configMap(ConfigMap c) {
        return new ConfigMap(or(c.apiVersion(), "v1"), or(c.kind(), "ConfigMap"), namespaced(c.metadata()), c.data(),
                c.binaryData());
    }

    /** `type` Opaque when unset. `stringData` is kept: {@link Secret#decoded()} merges it. */
    public static Secret secret(Secret s) {
        return new Secret(or(s.apiVersion(), "v1"), or(s.kind(), "Secret"), namespaced(s.metadata()),
                blank(s.type()) ? "Opaque" : s.type(), s.data(), s.stringData());
    }

    /**
     * Namespace defaulting, `replicas` 1, StatefulSet `podManagementPolicy` OrderedReady, plus the
     * pod template's defaults.
     */
    public static Workload workload(Workload w) {
        Workload.Spec spec = w.spec();
        if (spec != null && spec.template() != null && spec.template().spec() != null) {
            String policy = spec.podManagementPolicy();
            if (Workload.STATEFUL_SET.equals(w.kind()) && blank(policy)) {
                policy = "OrderedReady";
            }
            spec = new Workload.Spec(spec.replicas() == null ? Integer.valueOf(1) : spec.replicas(), spec.selector(),
                    new Workload.PodTemplate(spec.template().metadata(), podSpec(spec.template().spec())),
                    spec.serviceName(), policy);
        }
        return new Workload(w.apiVersion(), w.kind(), namespaced(w.metadata()), spec, w.status());
    }

    /** Namespaces are cluster-scoped: a namespace given on one is dropped, as the API server does. */
    public static Namespace namespace(Namespace n) {
        ObjectMeta m = n.metadata() == null ? ObjectMeta.of(null, null) : n.metadata();
        return new Namespace(or(n.apiVersion(), "v1"), or(n.kind(), "Namespace"), m.withNamespace(null));
    }

    private static ObjectMeta namespaced(ObjectMeta m) {
        if (m == null) {
            return ObjectMeta.of(DEFAULT_NAMESPACE, null);
        }
        return blank(m.namespace()) ? m.withNamespace(DEFAULT_NAMESPACE) : m;
    }

    /** Families of the requested IPs, when they name at most one IP per family (else validation speaks). */
    private static List<String> familiesOf(List<String> ips) {
        List<String> families = new ArrayList<>();
        if (ips.size() > 2) {
            return List.of();
        }
        for (String ip : ips) {
            if (Service.CLUSTER_IP_NONE.equals(ip)) {
                continue;
            }
            String f = IpLiterals.family(ip);
            if (f == null) {
                // Leave families alone; validation reports the bad IP.
                return List.of();
            }
            if (families.contains(f)) {
                return List.of();
            }
            families.add(f);
        }
        return families;
    }

    private static boolean blank(String s) {
        return s == null || s.isEmpty();
    }

    private static String or(String s, String fallback) {
        return blank(s) ? fallback : s;
    }
}
