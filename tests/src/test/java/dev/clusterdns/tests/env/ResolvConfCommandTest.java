package dev.clusterdns.tests.env;

import static dev.clusterdns.tests.env.EnvFixtures.clusterdns;
import static dev.clusterdns.tests.env.EnvFixtures.ok;
import static dev.clusterdns.tests.env.EnvFixtures.resource;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.tests.CommandResult;
import dev.clusterdns.tests.ServeProcess;
import org.junit.jupiter.api.Test;

/** `clusterdns resolvconf` for the pods in resources/env. */
class ResolvConfCommandTest {
    private static final String HOST = resource("host-resolv.conf").toString();

    @Test
    void clusterFirstUsesKubeDnsAndTheHostSearches() {
        CommandResult r = ok(clusterdns("resolvconf", "-n", "shop", "--host-resolv-conf", HOST));
        assertEquals("""
                search shop.svc.cluster.local svc.cluster.local cluster.local example.com corp.example
                nameserver 127.96.0.10
                options ndots:5
                """, r.stdout());
        assertEquals(r.stdout(), ok(clusterdns("resolvconf", "-n", "shop", "--pod", "web-1", "--host-resolv-conf", HOST)).stdout());
    }

    @Test
    void withoutAKubeDnsManifestTheSynthesisedKubeDnsIsTheNameserver() {
        // kube-system/kube-dns exists as kubeadm makes it (10th address of the service CIDR), as kubelet's --cluster-dns.
        CommandResult r = ok(ServeProcess.run("resolvconf", "--manifests", resource("no-dns.yaml").toString(), "-n", "shop",
                "--host-resolv-conf", ""));
        assertEquals("search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 127.96.0.10\noptions ndots:5\n",
                r.stdout());
        CommandResult other = ok(ServeProcess.run("resolvconf", "--manifests", resource("no-dns.yaml").toString(), "-n", "default",
                "--host-resolv-conf", "", "--service-cidr", "10.96.0.0/12"));
        assertTrue(other.stdout().contains("\nnameserver 10.96.0.10\n"), other.stdout());
    }

    @Test
    void podPoliciesAndDnsConfig() {
        assertEquals("search corp.example\nnameserver 127.0.0.53\noptions ndots:2 edns0\n",
                ok(clusterdns("resolvconf", "-n", "shop", "--pod", "custom-dns", "--host-resolv-conf", HOST)).stdout());
        // ClusterFirst on the host network falls back to the host file.
        assertEquals("""
                search example.com corp.example
                nameserver 192.0.2.53
                nameserver 192.0.2.54
                options timeout:2 rotate
                """, ok(clusterdns("resolvconf", "-n", "shop", "--pod", "host-net", "--host-resolv-conf", HOST)).stdout());
    }

    @Test
    void nameserverLimitIsAppliedWithKubeletsWarning() {
        CommandResult r = ok(clusterdns("resolvconf", "-n", "shop", "--host-resolv-conf", HOST, "--nameserver", "127.0.0.1",
                "--nameserver", "127.0.0.2", "--nameserver", "127.0.0.3", "--nameserver", "127.0.0.4"));
        assertTrue(r.stdout().contains("nameserver 127.0.0.3\noptions"), r.stdout());
        assertTrue(!r.stdout().contains("127.0.0.4"), r.stdout());
        assertTrue(r.stderr().contains("Nameserver limits were exceeded, some nameservers have been omitted, the applied"
                + " nameserver line is: 127.0.0.1 127.0.0.2 127.0.0.3"), r.stderr());
    }

    @Test
    void errorsAreClear() {
        CommandResult pod = clusterdns("resolvconf", "-n", "shop", "--pod", "nope", "--host-resolv-conf", HOST);
        assertEquals(1, pod.exitCode());
        assertTrue(pod.stderr().contains("pod \"nope\" not found in namespace shop"), pod.stderr());
        CommandResult host = clusterdns("resolvconf", "-n", "shop", "--host-resolv-conf", "/no/such/resolv.conf");
        assertEquals(1, host.exitCode());
        assertTrue(host.stderr().contains("/no/such/resolv.conf"), host.stderr());
        CommandResult ns = clusterdns("resolvconf", "-n", "shop", "--nameserver", "not-an-ip", "--host-resolv-conf", HOST);
        assertEquals(1, ns.exitCode());
        assertTrue(ns.stderr().contains("not-an-ip"), ns.stderr());
    }
}
