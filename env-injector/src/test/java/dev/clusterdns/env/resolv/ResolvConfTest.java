package dev.clusterdns.env.resolv;

import static dev.clusterdns.env.Objects.container;
import static dev.clusterdns.env.Objects.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.ObjectMeta;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.PodDNSConfig;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.env.Objects;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResolvConfTest {
    private static final ResolvConf HOST = ResolvConf.parse("""
            # host file
            nameserver 192.168.1.1
            nameserver 192.168.1.2 # trailing
            domain ignored.example
            search old.example
            search example.com. corp.example
            options rotate
            options timeout:2 attempts:3
            ; semicolon comment
            sortlist 10.0.0.0
            """);

    private static PodResolvConf.Kubelet kubelet(ResolvConf host) {
        return new PodResolvConf.Kubelet(List.of("10.96.0.10"), "cluster.local", host);
    }

    private static Pod pod(String dnsPolicy, boolean hostNetwork, PodDNSConfig dnsConfig) {
        return Objects.pod(ObjectMeta.of("shop", "p"), null, dnsPolicy, hostNetwork, dnsConfig, null,
                container("app", List.of(), List.of()));
    }

    @Test
    void hostFileParsing() {
        assertEquals(List.of("192.168.1.1", "192.168.1.2"), HOST.nameservers());
        assertEquals(List.of("example.com", "corp.example"), HOST.searches());
        assertEquals(List.of("timeout:2", "attempts:3"), HOST.options());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResolvConf.parse("nameserver 1.1.1.1\nnameserver\n"));
        assertEquals("nameserver list is empty", e.getMessage());
        assertEquals(List.of("."), ResolvConf.parse("search .\n").searches());
    }

    @Test
    void clusterFirstMatchesKubeletsExample() {
        ResolvConf host = ResolvConf.parse("nameserver 8.8.8.8\nsearch example.com\noptions timeout:2\n");
        PodResolvConf.Result r = PodResolvConf.forNamespace("default", kubelet(host));
        assertEquals("""
                search default.svc.cluster.local svc.cluster.local cluster.local example.com
                nameserver 10.96.0.10
                options ndots:5
                """, r.conf().render());
        assertEquals(List.of(), r.warnings());
    }

    @Test
    void clusterSearchesAreDeduplicated() {
        ResolvConf host = ResolvConf.parse("search cluster.local example.com shop.svc.cluster.local\n");
        assertEquals(List.of("shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "example.com"),
                PodResolvConf.forNamespace("shop", kubelet(host)).conf().searches());
    }

    @Test
    void policiesPickTheirBase() {
        ResolvConf cluster = PodResolvConf.forPod(pod("ClusterFirst", false, null), kubelet(HOST)).conf();
        assertEquals(List.of("10.96.0.10"), cluster.nameservers());
        assertEquals(List.of("ndots:5"), cluster.options());
        // ClusterFirst on the host network silently falls back to the host file.
        assertEquals(HOST, PodResolvConf.forPod(pod("ClusterFirst", true, null), kubelet(HOST)).conf());
        assertEquals(cluster, PodResolvConf.forPod(pod("ClusterFirstWithHostNet", true, null), kubelet(HOST)).conf());
        assertEquals(cluster, PodResolvConf.forPod(pod(null, false, null), kubelet(HOST)).conf());
        assertEquals(HOST, PodResolvConf.forPod(pod("Default", false, null), kubelet(HOST)).conf());
        PodResolvConf.Result odd = PodResolvConf.forPod(pod("Bogus", false, null), kubelet(HOST));
        assertEquals(cluster, odd.conf());
        assertTrue(odd.warnings().get(0).contains("Bogus"), odd.warnings().toString());
        PodDNSConfig only = new PodDNSConfig(List.of("1.1.1.1"), List.of("a.example"),
                List.of(new PodDNSConfig.Option("ndots", "2")));
        assertEquals("search a.example\nnameserver 1.1.1.1\noptions ndots:2\n",
                PodResolvConf.forPod(pod("None", false, only), kubelet(HOST)).conf().render());
    }

    @Test
    void noHostFileMeansLoopbackAndDotForHostMode() {
        ResolvConf r = PodResolvConf.forPod(pod("Default", false, null), kubelet(null)).conf();
        assertEquals(List.of("127.0.0.1"), r.nameservers());
        assertEquals(List.of("."), r.searches());
        assertEquals(List.of("shop.svc.cluster.local", "svc.cluster.local", "cluster.local"),
                PodResolvConf.forNamespace("shop", kubelet(null)).conf().searches());
    }

    @Test
    void missingClusterDnsFallsBackToDefaultWithAWarning() {
        PodResolvConf.Result r = PodResolvConf.forNamespace("shop",
                new PodResolvConf.Kubelet(List.of(), "cluster.local", HOST));
        assertEquals(HOST, r.conf());
        assertTrue(r.warnings().get(0).startsWith("MissingClusterDNS: kubelet does not have ClusterDNS IP configured"),
                r.warnings().toString());
    }

    @Test
    void dnsConfigIsMergedIntoTheBase() {
        PodDNSConfig extra = new PodDNSConfig(List.of("10.96.0.10", "9.9.9.9"), List.of("cluster.local", "extra.example"),
                List.of(new PodDNSConfig.Option("ndots", "2"), new PodDNSConfig.Option("edns0", null),
                        new PodDNSConfig.Option("single-request", "")));
        ResolvConf r = PodResolvConf.forPod(pod("ClusterFirst", false, extra), kubelet(HOST)).conf();
        assertEquals(List.of("10.96.0.10", "9.9.9.9"), r.nameservers());
        assertEquals(List.of("shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "example.com",
                "corp.example", "extra.example"), r.searches());
        assertEquals(new HashSet<>(List.of("ndots:2", "edns0", "single-request")), new HashSet<>(r.options()));
        ResolvConf host = PodResolvConf.forPod(pod("Default", false,
                new PodDNSConfig(null, null, List.of(new PodDNSConfig.Option("timeout", "5")))), kubelet(HOST)).conf();
        assertEquals(new HashSet<>(List.of("timeout:5", "attempts:3")), new HashSet<>(host.options()));
    }

    @Test
    void emptyNamespaceGivesALeadingDotSearch() {
        assertEquals(".svc.cluster.local", PodResolvConf.forNamespace("", kubelet(null)).conf().searches().get(0));
    }

    @Test
    void nameserverLimitKeepsTheFirstThreeWithKubeletsWarning() {
        ResolvConf host = ResolvConf.parse("nameserver 1.1.1.1\nnameserver 2.2.2.2\nnameserver 3.3.3.3\n");
        PodResolvConf.Result r = PodResolvConf.forPod(pod("Default", false,
                new PodDNSConfig(List.of("4.4.4.4"), null, null)), kubelet(host));
        assertEquals(List.of("1.1.1.1", "2.2.2.2", "3.3.3.3"), r.conf().nameservers());
        assertEquals(List.of("DNSConfigForming: Nameserver limits were exceeded, some nameservers have been omitted,"
                + " the applied nameserver line is: 1.1.1.1 2.2.2.2 3.3.3.3"), r.warnings());
    }

    @Test
    void searchLimits() {
        // More than 32 entries: the first 32 stay.
        StringBuilder many = new StringBuilder("search");
        for (int i = 0; i < 40; i++) {
            many.append(" d").append(i).append(".example");
        }
        PodResolvConf.Result r = PodResolvConf.forNamespace("shop", kubelet(ResolvConf.parse(many + "\n")));
        assertEquals(32, r.conf().searches().size());
        assertEquals("d28.example", r.conf().searches().get(31));
        assertEquals("DNSConfigForming: Search Line limits were exceeded, some search paths have been omitted, the"
                + " applied search line is: " + String.join(" ", r.conf().searches()), r.warnings().get(0));

        // An entry over 253 characters is dropped.
        String longName = "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(63) + ".example";
        assertTrue(longName.length() > 253);
        r = PodResolvConf.forNamespace("shop", kubelet(ResolvConf.parse("search x.example " + longName + " y.example\n")));
        assertEquals(List.of("shop.svc.cluster.local", "svc.cluster.local", "cluster.local", "x.example", "y.example"),
                r.conf().searches());
        assertEquals(1, r.warnings().size());

        // Over 2048 characters joined: entries go from the end until it fits.
        List<String> big = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            big.add(String.valueOf((char) ('a' + i)).repeat(200) + ".example");
        }
        r = PodResolvConf.forNamespace("shop", kubelet(new ResolvConf(big, List.of(), List.of())));
        String joined = String.join(" ", r.conf().searches());
        assertTrue(joined.length() <= 2048, joined.length() + "");
        assertEquals(3 + 9, r.conf().searches().size());
        assertEquals(1, r.warnings().size());
        assertTrue(r.warnings().get(0).endsWith(joined));
    }

    @Test
    void apiValidationOfDnsConfig() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PodResolvConf.forPod(pod("None", false, null), kubelet(HOST)));
        assertEquals("The Pod \"p\" is invalid: spec.dnsConfig: Required value: must provide `dnsConfig` when"
                + " `dnsPolicy` is None", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PodResolvConf.forPod(
                pod("None", false, new PodDNSConfig(null, List.of("a.example"), null)), kubelet(HOST)));
        assertEquals("The Pod \"p\" is invalid: spec.dnsConfig.nameservers: Required value: must provide at least"
                + " one DNS nameserver when `dnsPolicy` is None", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PodResolvConf.forPod(pod("ClusterFirst", false,
                new PodDNSConfig(List.of("1.1.1.1", "2.2.2.2", "3.3.3.3", "not-an-ip"), null, null)), kubelet(HOST)));
        assertTrue(e.getMessage().contains("spec.dnsConfig.nameservers: Invalid value: [\"1.1.1.1\",\"2.2.2.2\","
                + "\"3.3.3.3\",\"not-an-ip\"]: must not have more than 3 nameservers"), e.getMessage());
        assertTrue(e.getMessage().contains("spec.dnsConfig.nameservers[3]: Invalid value: \"not-an-ip\""), e.getMessage());
        assertTrue(PodResolvConf.validate("ClusterFirst", new PodDNSConfig(null, List.of("ok.example.", "_srv.example", "."),
                null)).isEmpty());
        assertEquals(1, PodResolvConf.validate("ClusterFirst", new PodDNSConfig(null, List.of("Bad..Name"), null)).size());
    }

    @Test
    void defaultNameserverIsKubeDnsOrLoopback() {
        assertEquals(List.of("127.0.0.1"), PodResolvConf.defaultClusterDns(ClusterSnapshot.empty()));
        ClusterSnapshot s = ClusterSnapshot.builder(1).services(List.of(
                Objects.service("kube-system", "kube-dns", "127.96.0.10", Objects.port("dns", "UDP", 53)))).build();
        assertEquals(List.of("127.96.0.10"), PodResolvConf.defaultClusterDns(s));
    }
}
