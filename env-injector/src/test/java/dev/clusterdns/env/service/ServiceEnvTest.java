package dev.clusterdns.env.service;

import static dev.clusterdns.env.Objects.port;
import static dev.clusterdns.env.Objects.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceEnvTest {

    private static List<String> lines(Map<String, String> vars) {
        List<String> out = new ArrayList<>();
        vars.forEach((k, v) -> out.add(k + "=" + v));
        return out;
    }

    private static ClusterSnapshot snapshot(Service... services) {
        return ClusterSnapshot.builder(1).services(List.of(services)).build();
    }

    @Test
    void twoPortServiceGivesKubeletsVariablesInOrder() {
        Service redis = service("prod", "redis-primary", "10.96.12.7", port("redis", "TCP", 6379),
                port("metrics", "TCP", 9121));
        assertEquals(List.of(
                "REDIS_PRIMARY_SERVICE_HOST=10.96.12.7",
                "REDIS_PRIMARY_SERVICE_PORT=6379",
                "REDIS_PRIMARY_SERVICE_PORT_REDIS=6379",
                "REDIS_PRIMARY_SERVICE_PORT_METRICS=9121",
                "REDIS_PRIMARY_PORT=tcp://10.96.12.7:6379",
                "REDIS_PRIMARY_PORT_6379_TCP=tcp://10.96.12.7:6379",
                "REDIS_PRIMARY_PORT_6379_TCP_PROTO=tcp",
                "REDIS_PRIMARY_PORT_6379_TCP_PORT=6379",
                "REDIS_PRIMARY_PORT_6379_TCP_ADDR=10.96.12.7",
                "REDIS_PRIMARY_PORT_9121_TCP=tcp://10.96.12.7:9121",
                "REDIS_PRIMARY_PORT_9121_TCP_PROTO=tcp",
                "REDIS_PRIMARY_PORT_9121_TCP_PORT=9121",
                "REDIS_PRIMARY_PORT_9121_TCP_ADDR=10.96.12.7"), lines(ServiceEnv.variables(List.of(redis))));
    }

    @Test
    void unnamedSinglePortHasNoNamedPortVariable() {
        Service web = service("prod", "web", "10.96.0.50", port(null, "TCP", 80));
        assertEquals(List.of(
                "WEB_SERVICE_HOST=10.96.0.50",
                "WEB_SERVICE_PORT=80",
                "WEB_PORT=tcp://10.96.0.50:80",
                "WEB_PORT_80_TCP=tcp://10.96.0.50:80",
                "WEB_PORT_80_TCP_PROTO=tcp",
                "WEB_PORT_80_TCP_PORT=80",
                "WEB_PORT_80_TCP_ADDR=10.96.0.50"), lines(ServiceEnv.variables(List.of(web))));
    }

    @Test
    void headlessExternalNameAndUnallocatedServicesLeaveNoTrace() {
        List<Service> in = List.of(
                service("ns", "headless", "None", port("a", "TCP", 80)),
                dev.clusterdns.env.Objects.typed("ns", "ext", "ExternalName", "10.0.0.8", port("a", "TCP", 80)),
                service("ns", "pending", "", port("a", "TCP", 80)),
                service("ns", "real", "10.0.0.9", port(null, "UDP", 53)));
        Map<String, String> vars = ServiceEnv.variables(in);
        assertTrue(vars.keySet().stream().allMatch(k -> k.startsWith("REAL_")), vars.toString());
        assertEquals(7, vars.size());
    }

    @Test
    void ipv6IsBracketedOnlyInUrlsAndKeptAsStored() {
        Service dns = service("ns", "dns", "FD00::A", port("dns", "UDP", 53), port("dns-tcp", "TCP", 53));
        Map<String, String> vars = ServiceEnv.variables(List.of(dns));
        assertEquals("FD00::A", vars.get("DNS_SERVICE_HOST"));
        assertEquals("udp://[FD00::A]:53", vars.get("DNS_PORT"));
        assertEquals("udp://[FD00::A]:53", vars.get("DNS_PORT_53_UDP"));
        assertEquals("tcp://[FD00::A]:53", vars.get("DNS_PORT_53_TCP"));
        assertEquals("FD00::A", vars.get("DNS_PORT_53_TCP_ADDR"));
        // Same number, two protocols: two families; the port named dns-tcp is a different name.
        assertEquals("53", vars.get("DNS_SERVICE_PORT_DNS_TCP"));
        assertEquals("udp", vars.get("DNS_PORT_53_UDP_PROTO"));
        assertEquals("tcp", vars.get("DNS_PORT_53_TCP_PROTO"));
    }

    @Test
    void manglingUpperCasesAndReplacesDashesOnly() {
        assertEquals("MY_COOL_SVC", ServiceEnv.mangle("my-cool-svc"));
        assertEquals("1ST_API", ServiceEnv.mangle("1st-api"));
        Service s = service("ns", "1st-api", "10.0.0.1", port("9000", "TCP", 9000), port("http-alt", "SCTP", 8080));
        Map<String, String> vars = ServiceEnv.variables(List.of(s));
        assertEquals("10.0.0.1", vars.get("1ST_API_SERVICE_HOST"));
        assertEquals("9000", vars.get("1ST_API_SERVICE_PORT_9000"));
        assertEquals("8080", vars.get("1ST_API_SERVICE_PORT_HTTP_ALT"));
        assertEquals("sctp://10.0.0.1:8080", vars.get("1ST_API_PORT_8080_SCTP"));
        assertEquals("sctp", vars.get("1ST_API_PORT_8080_SCTP_PROTO"));
    }

    @Test
    void emptyProtocolMeansTcp() {
        Service s = service("ns", "x", "10.0.0.2", port(null, null, 8080));
        Map<String, String> vars = ServiceEnv.variables(List.of(s));
        assertEquals("tcp://10.0.0.2:8080", vars.get("X_PORT"));
        assertEquals("tcp", vars.get("X_PORT_8080_TCP_PROTO"));
    }

    @Test
    void masterServiceIsAlwaysThereAndOtherNamespacesNever() {
        ClusterSnapshot s = snapshot(
                service("default", "kubernetes", "10.96.0.1", port("https", "TCP", 443)),
                service("default", "other", "10.96.0.2", port(null, "TCP", 80)),
                service("prod", "web", "10.96.0.3", port(null, "TCP", 80)),
                service("prod", "api", "10.96.0.4", port(null, "TCP", 80)),
                service("dev", "web", "10.96.0.5", port(null, "TCP", 80)));
        assertEquals(List.of("api", "kubernetes", "web"), names(ServiceEnv.visibleTo(s, "prod", true)));
        assertEquals("10.96.0.3", ServiceEnv.forNamespace(s, "prod", true).get("WEB_SERVICE_HOST"));
        // enableServiceLinks: false still gets the master service.
        assertEquals(List.of("kubernetes"), names(ServiceEnv.visibleTo(s, "prod", false)));
        // A pod in default sees every Service of default, kubernetes once.
        assertEquals(List.of("kubernetes", "other"), names(ServiceEnv.visibleTo(s, "default", true)));
        assertEquals(List.of("kubernetes"), names(ServiceEnv.visibleTo(s, "empty", true)));
    }

    @Test
    void sameNamespaceKubernetesShadowsTheMasterOnlyWithServiceLinks() {
        ClusterSnapshot s = snapshot(
                service("default", "kubernetes", "10.96.0.1", port("https", "TCP", 443)),
                service("team", "kubernetes", "10.96.7.7", port("http", "TCP", 80)));
        assertEquals("10.96.7.7", ServiceEnv.forNamespace(s, "team", true).get("KUBERNETES_SERVICE_HOST"));
        assertEquals("80", ServiceEnv.forNamespace(s, "team", true).get("KUBERNETES_SERVICE_PORT"));
        assertFalse(ServiceEnv.forNamespace(s, "team", true).containsKey("KUBERNETES_SERVICE_PORT_HTTPS"));
        assertEquals("10.96.0.1", ServiceEnv.forNamespace(s, "team", false).get("KUBERNETES_SERVICE_HOST"));
    }

    @Test
    void servicesAreSortedByName() {
        ClusterSnapshot s = snapshot(
                service("ns", "zeta", "10.0.0.3", port(null, "TCP", 1)),
                service("ns", "alpha", "10.0.0.1", port(null, "TCP", 1)),
                service("ns", "mid", "10.0.0.2", port(null, "TCP", 1)));
        List<String> hosts = ServiceEnv.forNamespace(s, "ns", true).keySet().stream()
                .filter(k -> k.endsWith("_SERVICE_HOST")).toList();
        assertEquals(List.of("ALPHA_SERVICE_HOST", "MID_SERVICE_HOST", "ZETA_SERVICE_HOST"), hosts);
    }

    @Test
    void namespacesWithManyServicesGetASizeWarning() {
        List<Service> many = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            many.add(service("big", "svc-" + i, "10.1." + (i / 250) + "." + (i % 250 + 1), port("http", "TCP", 8080)));
        }
        ClusterSnapshot s = ClusterSnapshot.builder(1).services(many).build();
        String warning = ServiceEnv.sizeWarning(s, "big").orElseThrow();
        long bytes = ServiceEnv.environmentBytes(ServiceEnv.forNamespace(s, "big", true));
        assertTrue(warning.contains("1000 Services"), warning);
        assertTrue(warning.contains("8000 service variables"), warning);
        assertTrue(warning.contains(bytes + " bytes"), warning);
        assertTrue(warning.contains("argument list too long"), warning);
        assertTrue(ServiceEnv.sizeWarning(s, "small").isEmpty());
        assertTrue(ServiceEnv.sizeWarning(ClusterSnapshot.builder(1).services(many.subList(0, 999)).build(), "big")
                .isEmpty());
    }

    @Test
    void environmentBytesCountNameValueSeparatorsAndPointers() {
        assertEquals((1 + 1 + 2 + 1 + 8) + (2 + 1 + 0 + 1 + 8),
                ServiceEnv.environmentBytes(Map.of("A", "é", "BB", "")));
    }

    private static List<String> names(List<Service> services) {
        return services.stream().map(Service::name).toList();
    }
}
