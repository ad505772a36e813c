package dev.clusterdns.agent.validation;

import static dev.clusterdns.agent.validation.Manifests.podErrors;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Pod validation: names, container ports, dnsPolicy and dnsConfig. */
class PodValidationTest {

    private static final String P = "The Pod \"web-0\" is invalid: ";

    /** A pod named web-0 with one container; {@code extra} is added (indented) under spec. */
    private static String pod(String extraSpec) {
        return "metadata: {name: web-0}\nspec:\n  containers: [{name: web, image: nginx}]\n" + extraSpec.indent(2);
    }

    private static String podWithPorts(String ports) {
        return "metadata: {name: web-0}\nspec:\n  containers:\n  - name: web\n    image: nginx\n    ports: " + ports + "\n";
    }

    @Test
    void validPodHasNoErrors() {
        assertEquals("", podErrors(pod("hostname: web-0\nsubdomain: web\nnodeName: node-1.example\n"
                + "dnsPolicy: None\ndnsConfig: {nameservers: [10.96.0.10], searches: [svc.cluster.local.], options: [{name: ndots, value: '2'}]}")));
        assertEquals("", podErrors(podWithPorts("[{name: http, containerPort: 80}, {name: dns, containerPort: 53, protocol: UDP}]")));
    }

    @Test
    void nameMustBeDns1123Subdomain() {
        assertEquals("The Pod \"Web_0\" is invalid: metadata.name: Invalid value: \"Web_0\": a lowercase RFC 1123 subdomain "
                        + "must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an "
                        + "alphanumeric character (e.g. 'example.com', regex used for validation is "
                        + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                podErrors("metadata: {name: Web_0}\nspec: {containers: [{name: web, image: nginx}]}"));
        // Dots are fine in pod names (unlike Service names).
        assertEquals("", podErrors("metadata: {name: web.0}\nspec: {containers: [{name: web, image: nginx}]}"));
    }

    @Test
    void containersAreRequiredAndNamed() {
        assertEquals(P + "spec.containers: Required value", podErrors("metadata: {name: web-0}\nspec: {}"));
        assertEquals(P + "\n* spec.containers[0].name: Required value\n* spec.containers[0].image: Required value",
                podErrors("metadata: {name: web-0}\nspec: {containers: [{}]}"));
        assertEquals(P + "spec.containers[1].name: Duplicate value: \"web\"",
                podErrors("metadata: {name: web-0}\nspec: {containers: [{name: web, image: a}, {name: web, image: b}]}"));
    }

    @Test
    void containerPortRange() {
        assertEquals(P + "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
                podErrors(podWithPorts("[{containerPort: 70000}]")));
        assertEquals(P + "spec.containers[0].ports[0].containerPort: Required value",
                podErrors(podWithPorts("[{name: http}]")));
        assertEquals(P + "spec.containers[0].ports[0].hostPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
                podErrors(podWithPorts("[{containerPort: 80, hostPort: 70000}]")));
    }

    @Test
    void containerPortProtocol() {
        assertEquals(P + "spec.containers[0].ports[0].protocol: Unsupported value: \"tcp\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
                podErrors(podWithPorts("[{containerPort: 80, protocol: tcp}]")));
    }

    @Test
    void containerPortNamesAreIanaServiceNames() {
        assertEquals(P + "spec.containers[0].ports[0].name: Invalid value: \"metrics-endpoint\": must be no more than 15 characters",
                podErrors(podWithPorts("[{name: metrics-endpoint, containerPort: 9090}]")));
        assertEquals(P + "spec.containers[0].ports[0].name: Invalid value: \"8080\": must contain at least one letter (a-z)",
                podErrors(podWithPorts("[{name: '8080', containerPort: 8080}]")));
        assertEquals(P + "spec.containers[0].ports[1].name: Duplicate value: \"http\"",
                podErrors(podWithPorts("[{name: http, containerPort: 80}, {name: http, containerPort: 81}]")));
    }

    @Test
    void hostnameAndSubdomainAreDns1123Labels() {
        String label = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
                + "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation "
                + "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
        assertEquals(P + "spec.hostname: Invalid value: \"Web_0\": " + label, podErrors(pod("hostname: Web_0")));
        assertEquals(P + "spec.subdomain: Invalid value: \"web.svc\": must not contain dots", podErrors(pod("subdomain: web.svc")));
    }

    @Test
    void dnsPolicyValues() {
        assertEquals(P + "spec.dnsPolicy: Unsupported value: \"ClusterOnly\": supported values: \"ClusterFirstWithHostNet\", "
                        + "\"ClusterFirst\", \"Default\", \"None\"",
                podErrors(pod("dnsPolicy: ClusterOnly")));
    }

    @Test
    void restartPolicyValues() {
        assertEquals(P + "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", \"OnFailure\", \"Never\"",
                podErrors(pod("restartPolicy: Sometimes")));
    }

    @Test
    void dnsPolicyNoneNeedsDnsConfig() {
        assertEquals(P + "spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None",
                podErrors(pod("dnsPolicy: None")));
    }

    @Test
    void dnsPolicyNoneNeedsANameserver() {
        assertEquals(P + "spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when `dnsPolicy` is None",
                podErrors(pod("dnsPolicy: None\ndnsConfig: {searches: [example.com]}")));
    }

    @Test
    void atMostThreeNameserversEachAnIp() {
        assertEquals(P + "spec.dnsConfig.nameservers: Invalid value: [\"10.0.0.1\",\"10.0.0.2\",\"10.0.0.3\",\"10.0.0.4\"]: "
                        + "must not have more than 3 nameservers",
                podErrors(pod("dnsConfig: {nameservers: [10.0.0.1, 10.0.0.2, 10.0.0.3, 10.0.0.4]}")));
        assertEquals(P + "spec.dnsConfig.nameservers[1]: Invalid value: \"dns.example\": must be a valid IP address, "
                        + "(e.g. 10.9.8.7 or 2001:db8::ffff)",
                podErrors(pod("dnsConfig: {nameservers: [10.0.0.1, dns.example]}")));
    }

    @Test
    void atMost32SearchPaths() {
        String searches = IntStream.range(0, 33).mapToObj(i -> "s" + i + ".example").collect(Collectors.joining(","));
        String msg = podErrors(pod("dnsConfig: {searches: [" + searches + "]}"));
        assertEquals(P + "spec.dnsConfig.searches: Invalid value: [\"s0.example\",\"s1.example\",",
                msg.substring(0, msg.indexOf("\"s2")));
        assertEquals("]: must not have more than 32 search paths", msg.substring(msg.lastIndexOf(']')));
    }

    @Test
    void searchListAtMost2048Characters() {
        String label = "a".repeat(63);
        String one = label + "." + label + "." + label + "." + label.substring(0, 61); // 253 characters
        String searches = IntStream.range(0, 9).mapToObj(i -> one).collect(Collectors.joining(","));
        String msg = podErrors(pod("dnsConfig: {searches: [" + searches + "]}"));
        assertEquals("]: must not have more than 2048 characters (including spaces) in the search list",
                msg.substring(msg.lastIndexOf(']')));
        assertEquals("", podErrors(pod("dnsConfig: {searches: [" + one + "]}")));
    }

    @Test
    void searchesAreDns1123SubdomainsWithOneTrailingDotTolerated() {
        assertEquals("", podErrors(pod("dnsConfig: {searches: [cluster.local.]}")));
        assertEquals(P + "spec.dnsConfig.searches[0]: Invalid value: \"_srv.example\": a lowercase RFC 1123 subdomain must "
                        + "consist of lower case alphanumeric characters, '-' or '.', and must start and end with an "
                        + "alphanumeric character (e.g. 'example.com', regex used for validation is "
                        + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                podErrors(pod("dnsConfig: {searches: [_srv.example.]}")));
    }

    @Test
    void dnsOptionsNeedNames() {
        assertEquals(P + "spec.dnsConfig.options[0]: Required value: must not be empty",
                podErrors(pod("dnsConfig: {options: [{value: '5'}]}")));
    }

    @Test
    void hostNetworkHostPortMustMatch() {
        assertEquals(P + "spec.containers[0].ports[0].hostPort: Invalid value: 8081: must match `containerPort` when `hostNetwork` is true",
                podErrors("metadata: {name: web-0}\nspec:\n  hostNetwork: true\n  containers: [{name: web, image: nginx, "
                        + "ports: [{containerPort: 8080, hostPort: 8081}]}]"));
    }

    @Test
    void podIpsMustBeIps() {
        assertEquals(P + "status.podIP: Invalid value: \"10.1.0.256\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
                podErrors(pod("") + "status: {podIP: 10.1.0.256}"));
        assertEquals(P + "status.podIPs: Invalid value: [{\"ip\":\"10.1.0.5\"},{\"ip\":\"10.1.0.6\"}]: may specify no more than one IP for each IP family",
                podErrors(pod("") + "status: {podIPs: [{ip: 10.1.0.5}, {ip: 10.1.0.6}]}"));
    }
}
