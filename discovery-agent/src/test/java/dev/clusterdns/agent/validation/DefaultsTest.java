package dev.clusterdns.agent.validation;

import static dev.clusterdns.agent.validation.Manifests.defaultedService;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.clusterdns.agent.model.ConfigMap;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.IntOrString;
import dev.clusterdns.agent.model.Namespace;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Secret;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServiceSpec;
import dev.clusterdns.agent.model.Workload;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The API server's defaults (as the API server applies them), one rule per test. */
class DefaultsTest {

    @Test
    void serviceTypeDefaultsToClusterIp() {
        assertEquals("ClusterIP", defaultedService("ports: [{port: 80}]").spec().type());
    }

    @Test
    void sessionAffinityDefaultsToNoneAndItsConfigIsCleared() {
        ServiceSpec spec = defaultedService("sessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}\nports: [{port: 80}]").spec();
        assertEquals("None", spec.sessionAffinity());
        assertNull(spec.sessionAffinityConfig());
    }

    @Test
    void clientIpAffinityGetsTimeout10800WhenUnset() {
        ServiceSpec spec = defaultedService("sessionAffinity: ClientIP\nports: [{port: 80}]").spec();
        assertEquals(10800, spec.sessionAffinityConfig().clientIP().timeoutSeconds());
        assertEquals(10800, spec.affinityTimeoutSeconds());
        ServiceSpec given = defaultedService("sessionAffinity: ClientIP\nsessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}\n"
                + "ports: [{port: 80}]").spec();
        assertEquals(60, given.sessionAffinityConfig().clientIP().timeoutSeconds());
    }

    @Test
    void portProtocolDefaultsToTcp() {
        assertEquals("TCP", defaultedService("ports: [{port: 80}]").spec().ports().get(0).protocol());
        assertEquals("UDP", defaultedService("ports: [{port: 53, protocol: UDP}]").spec().ports().get(0).protocol());
    }

    @Test
    void targetPortDefaultsToPortWhenUnsetZeroOrEmpty() {
        ServiceSpec spec = defaultedService("ports: [{name: a, port: 80}, {name: b, port: 81, targetPort: 0}, "
                + "{name: c, port: 82, targetPort: ''}, {name: d, port: 83, targetPort: http}, {name: e, port: 84, targetPort: 8084}]").spec();
        assertEquals(List.of(IntOrString.of(80), IntOrString.of(81), IntOrString.of(82), IntOrString.of("http"),
                IntOrString.of(8084)), spec.ports().stream().map(p -> p.targetPort()).toList());
    }

    @Test
    void externalTrafficPolicyDefaultsToClusterOnlyWhenExternallyAccessible() {
        assertEquals("Cluster", defaultedService("type: NodePort\nports: [{port: 80}]").spec().externalTrafficPolicy());
        assertEquals("Cluster", defaultedService("type: LoadBalancer\nports: [{port: 80}]").spec().externalTrafficPolicy());
        assertEquals("Cluster", defaultedService("externalIPs: [192.0.2.1]\nports: [{port: 80}]").spec().externalTrafficPolicy());
        assertNull(defaultedService("ports: [{port: 80}]").spec().externalTrafficPolicy());
        assertEquals("Local", defaultedService("type: NodePort\nexternalTrafficPolicy: Local\nports: [{port: 80}]")
                .spec().externalTrafficPolicy());
    }

    @Test
    void internalTrafficPolicyDefaultsToClusterExceptForExternalName() {
        assertEquals("Cluster", defaultedService("ports: [{port: 80}]").spec().internalTrafficPolicy());
        assertEquals("Cluster", defaultedService("type: LoadBalancer\nports: [{port: 80}]").spec().internalTrafficPolicy());
        assertNull(defaultedService("type: ExternalName\nexternalName: example.com").spec().internalTrafficPolicy());
    }

    @Test
    void ipFamilyPolicyDefaultsToSingleStackUnlessTwoFamiliesAreRequested() {
        assertEquals("SingleStack", defaultedService("ports: [{port: 80}]").spec().ipFamilyPolicy());
        assertEquals("RequireDualStack", defaultedService("ipFamilies: [IPv4, IPv6]\nports: [{port: 80}]").spec().ipFamilyPolicy());
        assertEquals("RequireDualStack", defaultedService("clusterIP: 10.96.0.10\nclusterIPs: [10.96.0.10, 'fd00::10']\n"
                + "ports: [{port: 80}]").spec().ipFamilyPolicy());
        assertEquals("PreferDualStack", defaultedService("ipFamilyPolicy: PreferDualStack\nports: [{port: 80}]").spec().ipFamilyPolicy());
        assertNull(defaultedService("type: ExternalName\nexternalName: example.com").spec().ipFamilyPolicy());
    }

    @Test
    void allocateLoadBalancerNodePortsDefaultsToTrueForLoadBalancerOnly() {
        assertEquals(Boolean.TRUE, defaultedService("type: LoadBalancer\nports: [{port: 80}]").spec().allocateLoadBalancerNodePorts());
        assertEquals(Boolean.FALSE, defaultedService("type: LoadBalancer\nallocateLoadBalancerNodePorts: false\nports: [{port: 80}]")
                .spec().allocateLoadBalancerNodePorts());
        assertNull(defaultedService("type: NodePort\nports: [{port: 80}]").spec().allocateLoadBalancerNodePorts());
    }

    @Test
    void publishNotReadyAddressesDefaultsToFalse() {
        assertEquals(Boolean.FALSE, defaultedService("ports: [{port: 80}]").spec().publishNotReadyAddresses());
    }

    @Test
    void clusterIpsFollowALoneClusterIpAndFamiliesFollowTheIps() {
        ServiceSpec spec = defaultedService("clusterIP: 10.96.0.10\nports: [{port: 53}]").spec();
        assertEquals(List.of("10.96.0.10"), spec.clusterIPs());
        assertEquals(List.of("IPv4"), spec.ipFamilies());
        ServiceSpec dual = defaultedService("clusterIP: 'fd00::a'\nclusterIPs: ['fd00::a', 10.96.0.10]\nports: [{port: 53}]").spec();
        assertEquals(List.of("IPv6", "IPv4"), dual.ipFamilies());
        ServiceSpec headless = defaultedService("clusterIP: None").spec();
        assertEquals(List.of("None"), headless.clusterIPs());
        assertEquals(List.of(), headless.ipFamilies());
        assertEquals(List.of(), defaultedService("ports: [{port: 53}]").spec().ipFamilies());
    }

    @Test
    void namespacedKindsLandInDefault() {
        assertEquals("default", defaultedService("ports: [{port: 80}]").namespace());
        Service other = Defaults.service(Manifests.read("metadata: {name: web, namespace: shop}", Service.class));
        assertEquals("shop", other.namespace());
        assertEquals("default", Defaults.configMap(Manifests.read("metadata: {name: c}", ConfigMap.class)).namespace());
        assertEquals("default", Defaults.secret(Manifests.read("metadata: {name: s}", Secret.class)).namespace());
        assertEquals("default", Defaults.endpoints(Manifests.read("metadata: {name: e}", Endpoints.class)).namespace());
        assertEquals("default", Defaults.endpointSlice(Manifests.read("metadata: {name: e}\naddressType: IPv4",
                EndpointSlice.class)).namespace());
        assertEquals("default", Defaults.workload(Manifests.read("kind: Deployment\nmetadata: {name: w}", Workload.class)).namespace());
    }

    @Test
    void namespaceObjectsAreClusterScoped() {
        Namespace ns = Defaults.namespace(Manifests.read("metadata: {name: shop, namespace: default}", Namespace.class));
        assertNull(ns.namespace());
        assertEquals(List.of(), Validation.namespace(ns));
    }

    @Test
    void podDefaults() {
        Pod p = Manifests.pod("""
                metadata: {name: web-0}
                spec:
                  containers:
                  - name: web
                    image: nginx
                    ports: [{containerPort: 80}]
                status: {podIP: 10.1.0.5}
                """);
        assertEquals("default", p.namespace());
        assertEquals(Boolean.TRUE, p.spec().enableServiceLinks());
        assertEquals("ClusterFirst", p.spec().dnsPolicy());
        assertEquals("Always", p.spec().restartPolicy());
        assertEquals("TCP", p.spec().containers().get(0).ports().get(0).protocol());
        assertEquals("Running", p.status().phase());
        assertEquals(List.of(), Validation.pod(p));
    }

    @Test
    void podWithoutIpKeepsNoPhaseAndGivenValuesStay() {
        Pod p = Manifests.pod("""
                metadata: {name: job, namespace: batch}
                spec:
                  enableServiceLinks: false
                  dnsPolicy: Default
                  restartPolicy: Never
                  containers: [{name: job, image: busybox, ports: [{containerPort: 53, protocol: UDP}]}]
                status: {phase: Succeeded}
                """);
        assertEquals("batch", p.namespace());
        assertFalse(p.spec().enableServiceLinks());
        assertEquals("Default", p.spec().dnsPolicy());
        assertEquals("Never", p.spec().restartPolicy());
        assertEquals("UDP", p.spec().containers().get(0).ports().get(0).protocol());
        assertEquals("Succeeded", p.status().phase());
        assertNull(Manifests.pod("metadata: {name: p}\nspec: {containers: [{name: c, image: i}]}").status().phase());
    }

    @Test
    void hostNetworkPodsGetHostPortFromContainerPort() {
        Pod p = Manifests.pod("metadata: {name: p}\nspec:\n  hostNetwork: true\n  containers: [{name: c, image: i, ports: [{containerPort: 8080}]}]");
        assertEquals(8080, p.spec().containers().get(0).ports().get(0).hostPort());
    }

    @Test
    void endpointPortsDefaultToTcp() {
        EndpointSlice s = Defaults.endpointSlice(Manifests.read("""
                metadata: {name: web-abc, labels: {kubernetes.io/service-name: web}}
                addressType: IPv4
                endpoints: [{addresses: [10.1.0.5]}]
                ports: [{name: http, port: 8080}]
                """, EndpointSlice.class));
        assertEquals("TCP", s.ports().get(0).protocol());
        Endpoints e = Defaults.endpoints(Manifests.read("""
                metadata: {name: web}
                subsets: [{addresses: [{ip: 10.1.0.5}], ports: [{port: 8080}]}]
                """, Endpoints.class));
        assertEquals("TCP", e.subsets().get(0).ports().get(0).protocol());
    }

    @Test
    void secretTypeDefaultsToOpaque() {
        assertEquals("Opaque", Defaults.secret(Manifests.read("metadata: {name: s}", Secret.class)).type());
    }
}
