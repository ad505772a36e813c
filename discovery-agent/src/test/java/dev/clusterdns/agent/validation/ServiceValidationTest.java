package dev.clusterdns.agent.validation;

import static dev.clusterdns.agent.validation.Manifests.serviceErrors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.Service;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every rule of `ValidateService` we reproduce, with the exact kubectl text of each message. */
class ServiceValidationTest {

    private static final String WEB = "The Service \"web\" is invalid: ";
    private static final String DNS1123_LABEL_DETAIL = "a lowercase RFC 1123 label must consist of lower case "
            + "alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. "
            + "'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    private static String errorsOf(String yaml) {
        Service s = Defaults.service(Manifests.read(yaml, Service.class));
        List<FieldError> errors = Validation.service(s);
        return errors.isEmpty() ? "" : FieldError.kubectlMessage("Service", s.name(), errors);
    }

    // ---- valid manifests stay valid ----

    @ParameterizedTest
    @ValueSource(strings = {
        "selector: {app: web}\nports: [{port: 80, targetPort: 8080}]",
        "selector: {app: web}\nports: [{name: http, port: 80}, {name: https, port: 443, targetPort: https}]",
        "type: NodePort\nselector: {app: web}\nports: [{port: 80, nodePort: 30080}]",
        "type: NodePort\nports: [{name: dns, port: 53, protocol: UDP, nodePort: 30053}, {name: dns-tcp, port: 53, nodePort: 30053}]",
        "type: LoadBalancer\nselector: {app: web}\nports: [{port: 80}]\nloadBalancerSourceRanges: [' 10.0.0.0/8 ']",
        "type: LoadBalancer\nexternalTrafficPolicy: Local\nhealthCheckNodePort: 32000\nports: [{port: 80}]",
        "clusterIP: None\nselector: {app: db}",
        "clusterIP: None\nports: [{port: 5432}]",
        "type: ExternalName\nexternalName: db.example.com.",
        "clusterIP: 10.96.0.10\nclusterIPs: [10.96.0.10, 'fd00::10']\nipFamilyPolicy: PreferDualStack\nports: [{port: 53}]",
        "sessionAffinity: ClientIP\nsessionAffinityConfig: {clientIP: {timeoutSeconds: 86400}}\nports: [{port: 80}]",
        "externalIPs: [192.0.2.10]\nports: [{port: 80}]\nexternalTrafficPolicy: Local",
        "trafficDistribution: PreferClose\nports: [{port: 80}]",
        "ports: [{port: 80, appProtocol: kubernetes.io/h2c}]",
    })
    void validServicesHaveNoErrors(String spec) {
        assertEquals("", serviceErrors(spec));
    }

    // ---- metadata ----

    @Test
    void nameMissing() {
        assertEquals("The Service \"\" is invalid: metadata.name: Required value: name or generateName is required",
                errorsOf("apiVersion: v1\nkind: Service\nmetadata: {}\nspec:\n  ports: [{port: 80}]"));
    }

    @Test
    void nameMustBeDns1035LabelBecauseRelaxedServiceNameValidationIsOff() {
        assertEquals("The Service \"1web\" is invalid: metadata.name: Invalid value: \"1web\": a DNS-1035 label must "
                        + "consist of lower case alphanumeric characters or '-', start with an alphabetic character, and "
                        + "end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation "
                        + "is '[a-z]([-a-z0-9]*[a-z0-9])?')",
                errorsOf("metadata: {name: 1web}\nspec:\n  ports: [{port: 80}]"));
    }

    @Test
    void nameLongerThan63() {
        String name = "a".repeat(64);
        assertEquals("The Service \"" + name + "\" is invalid: metadata.name: Invalid value: \"" + name
                        + "\": must be no more than 63 characters",
                errorsOf("metadata: {name: " + name + "}\nspec:\n  ports: [{port: 80}]"));
    }

    @Test
    void lengthsCountBytesAsGoDoes() {
        String name = "\u00e9".repeat(32); // 32 characters, 64 bytes
        String msg = errorsOf("metadata: {name: " + name + "}\nspec:\n  ports: [{port: 80}]");
        assertTrue(msg.contains("\n* metadata.name: Invalid value: \"" + name + "\": must be no more than 63 characters\n"), msg);
    }

    @Test
    void namespaceMustBeDns1123Label() {
        assertEquals(WEB + "metadata.namespace: Invalid value: \"Prod\": " + DNS1123_LABEL_DETAIL,
                errorsOf("metadata: {name: web, namespace: Prod}\nspec:\n  ports: [{port: 80}]"));
    }

    @Test
    void labelValuesAreChecked() {
        assertEquals(WEB + "metadata.labels: Invalid value: \"a b\": a valid label must be an empty string or consist "
                        + "of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
                        + "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
                        + "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
                errorsOf("metadata: {name: web, labels: {app: a b}}\nspec:\n  ports: [{port: 80}]"));
    }

    // ---- ports ----

    @Test
    void portsRequiredUnlessHeadlessOrExternalName() {
        assertEquals(WEB + "spec.ports: Required value", serviceErrors("selector: {app: web}"));
        assertEquals("", serviceErrors("clusterIP: None"));
        assertEquals("", serviceErrors("type: ExternalName\nexternalName: example.com"));
    }

    @Test
    void portOutOfRange() {
        assertEquals(WEB + "spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
                serviceErrors("ports: [{port: 70000, targetPort: 80}]"));
    }

    @Test
    void portZeroOrMissing() {
        assertEquals(WEB + "\n* spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"
                        + "\n* spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive",
                serviceErrors("ports: [{name: http}]"));
    }

    @Test
    void protocolNotAllowed() {
        assertEquals(WEB + "spec.ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
                serviceErrors("ports: [{port: 80, protocol: HTTP}]"));
    }

    @Test
    void portNameMissingOnMultiPortServiceIsOneCausePerPort() {
        assertEquals(WEB + "\n* spec.ports[0].name: Required value\n* spec.ports[1].name: Required value",
                serviceErrors("ports: [{port: 80}, {port: 443}]"));
    }

    @Test
    void portNameRepeated() {
        assertEquals(WEB + "spec.ports[1].name: Duplicate value: \"http\"",
                serviceErrors("ports: [{name: http, port: 80}, {name: http, port: 8080}]"));
    }

    @Test
    void portNameNotDns1123Label() {
        assertEquals(WEB + "spec.ports[0].name: Invalid value: \"Web_Port\": " + DNS1123_LABEL_DETAIL,
                serviceErrors("ports: [{name: Web_Port, port: 80}]"));
    }

    @Test
    void portNameWithDotMustNotContainDots() {
        assertEquals(WEB + "spec.ports[0].name: Invalid value: \"web.port\": must not contain dots",
                serviceErrors("ports: [{name: web.port, port: 80}]"));
    }

    @Test
    void targetPortNumberOutOfRange() {
        assertEquals(WEB + "spec.ports[0].targetPort: Invalid value: 65536: must be between 1 and 65535, inclusive",
                serviceErrors("ports: [{port: 80, targetPort: 65536}]"));
    }

    @Test
    void targetPortNameRules() {
        assertEquals(WEB + "spec.ports[0].targetPort: Invalid value: \"http--alt\": must not contain consecutive hyphens",
                serviceErrors("ports: [{port: 80, targetPort: http--alt}]"));
        assertEquals(WEB + "spec.ports[0].targetPort: Invalid value: \"a-very-long-name\": must be no more than 15 characters",
                serviceErrors("ports: [{port: 80, targetPort: a-very-long-name}]"));
        assertEquals(WEB + "spec.ports[0].targetPort: Invalid value: \"8080\": must contain at least one letter (a-z)",
                serviceErrors("ports: [{port: 80, targetPort: '8080'}]"));
        assertEquals(WEB + "spec.ports[0].targetPort: Invalid value: \"-web\": must not begin or end with a hyphen",
                serviceErrors("ports: [{port: 80, targetPort: '-web'}]"));
        assertEquals(WEB + "spec.ports[0].targetPort: Invalid value: \"Web\": must contain only alpha-numeric "
                        + "characters (a-z, 0-9), and hyphens (-)",
                serviceErrors("ports: [{port: 80, targetPort: Web}]"));
    }

    @Test
    void appProtocolMustBeQualifiedName() {
        assertEquals(WEB + "spec.ports[0].appProtocol: Invalid value: \"-h2c\": name part must consist of alphanumeric "
                        + "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
                        + "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                        + "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
                serviceErrors("ports: [{port: 80, appProtocol: '-h2c'}]"));
    }

    @Test
    void sameProtocolAndPortTwice() {
        String msg = serviceErrors("ports: [{name: a, port: 80}, {name: b, port: 80, targetPort: 81}]");
        assertTrue(msg.startsWith(WEB + "spec.ports[1]: Duplicate value: {"), msg);
        assertTrue(msg.contains("\"Protocol\":\"TCP\"") && msg.contains("\"Port\":80"), msg);
        // Same number, other protocol: fine.
        assertEquals("", serviceErrors("ports: [{name: a, port: 53}, {name: b, port: 53, protocol: UDP}]"));
    }

    @Test
    void sameProtocolAndNodePortTwice() {
        assertEquals(WEB + "spec.ports[1].nodePort: Duplicate value: 30080",
                serviceErrors("type: NodePort\nports: [{name: a, port: 80, nodePort: 30080}, {name: b, port: 81, nodePort: 30080}]"));
    }

    @Test
    void nodePortOutsideDefaultRange() {
        assertEquals(WEB + "spec.ports[0].nodePort: Invalid value: 29999: provided port is not in the valid range. "
                        + "The range of valid ports is 30000-32767",
                serviceErrors("type: NodePort\nports: [{port: 80, nodePort: 29999}]"));
    }

    @Test
    void nodePortOutsideConfiguredRange() {
        Service s = Manifests.defaultedService("type: LoadBalancer\nports: [{port: 80, nodePort: 30080}]");
        assertEquals(List.of("spec.ports[0].nodePort: Invalid value: 30080: provided port is not in the valid range. "
                        + "The range of valid ports is 31000-31999"),
                Validation.service(s, 31000, 31999).stream().map(FieldError::render).toList());
        assertEquals(List.of(), Validation.service(s));
    }

    @Test
    void nodePortOnClusterIp() {
        assertEquals(WEB + "spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
                serviceErrors("ports: [{port: 80, nodePort: 30080}]"));
    }

    // ---- type ----

    @Test
    void typeNotSupported() {
        assertEquals(WEB + "spec.type: Unsupported value: \"Internal\": supported values: \"ClusterIP\", \"ExternalName\", "
                        + "\"LoadBalancer\", \"NodePort\"",
                serviceErrors("type: Internal\nports: [{port: 80}]"));
    }

    @Test
    void noneOnNodePortAndLoadBalancer() {
        assertEquals(WEB + "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for NodePort services",
                serviceErrors("type: NodePort\nclusterIP: None\nports: [{port: 80}]"));
        assertEquals(WEB + "spec.clusterIPs[0]: Invalid value: \"None\": may not be set to 'None' for LoadBalancer services",
                serviceErrors("type: LoadBalancer\nclusterIP: None\nports: [{port: 80}]"));
    }

    // ---- ExternalName ----

    @Test
    void externalNameForbidsClusterIpsFamiliesAndPolicy() {
        assertEquals(WEB + "\n* spec.clusterIPs: Forbidden: may not be set for ExternalName services"
                        + "\n* spec.ipFamilies: Forbidden: may not be set for ExternalName services"
                        + "\n* spec.ipFamilyPolicy: Forbidden: may not be set for ExternalName services",
                serviceErrors("type: ExternalName\nexternalName: db.example.com\nclusterIP: 10.96.0.50\n"
                        + "ipFamilies: [IPv4]\nipFamilyPolicy: SingleStack"));
    }

    @Test
    void externalNameRequired() {
        assertEquals(WEB + "spec.externalName: Required value", serviceErrors("type: ExternalName"));
        // A lone dot is an empty name once the trailing dot is stripped.
        assertEquals(WEB + "spec.externalName: Required value", serviceErrors("type: ExternalName\nexternalName: ."));
    }

    @Test
    void externalNameMustBeDns1123Subdomain() {
        assertEquals(WEB + "spec.externalName: Invalid value: \"my_db.example.com\": a lowercase RFC 1123 subdomain must "
                        + "consist of lower case alphanumeric characters, '-' or '.', and must start and end with an "
                        + "alphanumeric character (e.g. 'example.com', regex used for validation is "
                        + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                serviceErrors("type: ExternalName\nexternalName: my_db.example.com."));
    }

    @Test
    void externalNameLongerThan253() {
        String name = ("a".repeat(60) + ".").repeat(4) + "b".repeat(20);
        assertEquals(WEB + "spec.externalName: Invalid value: \"" + name + "\": must be no more than 253 characters",
                serviceErrors("type: ExternalName\nexternalName: " + name));
    }

    // ---- clusterIP / clusterIPs / families ----

    @Test
    void clusterIpNotAnIp() {
        assertEquals(WEB + "spec.clusterIPs[0]: Invalid value: \"10.96.0.300\": must be a valid IP address, "
                        + "(e.g. 10.9.8.7 or 2001:db8::ffff)",
                serviceErrors("clusterIP: 10.96.0.300\nports: [{port: 80}]"));
    }

    @Test
    void clusterIpStrictModeRejectsLeadingZerosAndMappedIpv6() {
        assertEquals(WEB + "spec.clusterIPs[0]: Invalid value: \"10.96.0.010\": must not have leading 0s",
                serviceErrors("clusterIP: 10.96.0.010\nports: [{port: 80}]"));
        assertEquals(WEB + "spec.clusterIPs[0]: Invalid value: \"::ffff:10.96.0.10\": must not be an IPv4-mapped IPv6 address",
                serviceErrors("clusterIP: '::ffff:10.96.0.10'\nports: [{port: 80}]"));
    }

    @Test
    void clusterIpMustMatchFirstClusterIps() {
        assertEquals(WEB + "spec.clusterIPs: Invalid value: [\"10.96.0.11\"]: first value must match `clusterIP`",
                serviceErrors("clusterIP: 10.96.0.10\nclusterIPs: [10.96.0.11]\nports: [{port: 80}]"));
    }

    @Test
    void clusterIpsWithoutClusterIp() {
        assertEquals(WEB + "spec.clusterIPs: Invalid value: [\"10.96.0.11\"]: must be empty when `clusterIP` is not specified",
                serviceErrors("clusterIPs: [10.96.0.11]\nports: [{port: 80}]"));
    }

    @Test
    void noneMixedWithIps() {
        assertEquals(WEB + "spec.clusterIPs: Invalid value: [\"None\",\"10.96.0.10\"]: 'None' must be the first and only value",
                serviceErrors("clusterIP: None\nclusterIPs: [None, 10.96.0.10]\nports: [{port: 80}]"));
    }

    @Test
    void moreThanTwoClusterIps() {
        assertEquals(WEB + "spec.clusterIPs: Invalid value: [\"10.96.0.10\",\"fd00::10\",\"10.96.0.11\"]: may only hold up to 2 values",
                serviceErrors("clusterIP: 10.96.0.10\nclusterIPs: [10.96.0.10, 'fd00::10', 10.96.0.11]\nports: [{port: 80}]"));
    }

    @Test
    void twoClusterIpsOfOneFamily() {
        assertEquals(WEB + "spec.clusterIPs: Invalid value: [\"10.96.0.10\",\"10.96.0.11\"]: may specify no more than one IP for each IP family",
                serviceErrors("clusterIP: 10.96.0.10\nclusterIPs: [10.96.0.10, 10.96.0.11]\nports: [{port: 80}]"));
    }

    @Test
    void clusterIpFamilyMustMatchIpFamilies() {
        assertEquals(WEB + "spec.clusterIPs[0]: Invalid value: \"fd00::10\": expected an IPv4 value as indicated by `ipFamilies[0]`",
                serviceErrors("clusterIP: 'fd00::10'\nipFamilies: [IPv4]\nports: [{port: 80}]"));
        assertEquals(WEB + "spec.clusterIPs[0]: Invalid value: \"10.96.0.10\": expected an IPv6 value as indicated by `ipFamilies[0]`",
                serviceErrors("clusterIP: 10.96.0.10\nipFamilies: [IPv6]\nports: [{port: 80}]"));
    }

    @Test
    void ipFamiliesAndPolicyValues() {
        assertEquals(WEB + "\n* spec.ipFamilies[0]: Unsupported value: \"IPv5\": supported values: \"IPv4\", \"IPv6\""
                        + "\n* spec.ipFamilies[2]: Duplicate value: \"IPv4\""
                        + "\n* spec.ipFamilyPolicy: Unsupported value: \"DualStack\": supported values: \"PreferDualStack\", "
                        + "\"RequireDualStack\", \"SingleStack\"",
                serviceErrors("ipFamilies: [IPv5, IPv4, IPv4]\nipFamilyPolicy: DualStack\nports: [{port: 80}]"));
    }

    @Test
    void clusterIpMayNotChangeOnUpdate() {
        Service before = Manifests.defaultedService("clusterIP: 10.96.0.10\nports: [{port: 80}]");
        Service after = Manifests.defaultedService("clusterIP: 10.96.0.20\nports: [{port: 80}]");
        assertEquals(List.of("spec.clusterIPs[0]: Invalid value: [\"10.96.0.20\"]: may not change once set"),
                Validation.serviceUpdate(before, after, 30000, 32767).stream().map(FieldError::render).toList());
        assertEquals(List.of(), Validation.serviceUpdate(before, before, 30000, 32767));
    }

    // ---- session affinity ----

    @Test
    void sessionAffinityValues() {
        assertEquals(WEB + "spec.sessionAffinity: Unsupported value: \"Sticky\": supported values: \"ClientIP\", \"None\"",
                serviceErrors("sessionAffinity: Sticky\nports: [{port: 80}]"));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -5, 86401})
    void clientIpTimeoutOutOfRange(int timeout) {
        assertEquals(WEB + "spec.sessionAffinityConfig.clientIP.timeoutSeconds: Invalid value: " + timeout
                        + ": must be greater than 0 and less than 86400",
                serviceErrors("sessionAffinity: ClientIP\nsessionAffinityConfig: {clientIP: {timeoutSeconds: " + timeout
                        + "}}\nports: [{port: 80}]"));
    }

    @Test
    void noneAffinityForbidsConfigBeforeDefaulting() {
        Service raw = Manifests.service("sessionAffinity: None\nsessionAffinityConfig: {clientIP: {timeoutSeconds: 60}}\n"
                + "ports: [{port: 80, protocol: TCP, targetPort: 80}]\ninternalTrafficPolicy: Cluster\ntype: ClusterIP");
        assertEquals(List.of("spec.sessionAffinityConfig: Forbidden: must not be set when session affinity is None"),
                Validation.service(raw.withMetadata(raw.metadata().withNamespace("default")))
                        .stream().map(FieldError::render).toList());
    }

    @Test
    void clientIpWithoutConfigBeforeDefaulting() {
        Service raw = Manifests.service("sessionAffinity: ClientIP\nports: [{port: 80, protocol: TCP, targetPort: 80}]\n"
                + "internalTrafficPolicy: Cluster\ntype: ClusterIP");
        assertEquals(List.of("spec.sessionAffinityConfig: Required value: when session affinity type is ClientIP"),
                Validation.service(raw.withMetadata(raw.metadata().withNamespace("default")))
                        .stream().map(FieldError::render).toList());
    }

    // ---- external IPs, source ranges, traffic policies ----

    @Test
    void externalIpsMustBeValidAndNotSpecial() {
        // 127.0.0.1 passes: loopback externalIPs are allowed on purpose (this host's addresses).
        assertEquals(WEB + "\n* spec.externalIPs[1]: Invalid value: \"0.0.0.0\": may not be unspecified (0.0.0.0)"
                        + "\n* spec.externalIPs[2]: Invalid value: \"169.254.1.1\": may not be in the link-local range (169.254.0.0/16, fe80::/10)"
                        + "\n* spec.externalIPs[3]: Invalid value: \"224.0.0.5\": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"
                        + "\n* spec.externalIPs[4]: Invalid value: \"web\": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
                        + "\n* spec.externalIPs[5]: Invalid value: \"192.0.2.01\": must not have leading 0s",
                serviceErrors("externalIPs: [127.0.0.1, 0.0.0.0, 169.254.1.1, 224.0.0.5, web, 192.0.2.01]\nports: [{port: 80}]"));
    }

    @Test
    void sourceRangesOnlyForLoadBalancerAndValidCidrs() {
        assertEquals(WEB + "spec.LoadBalancerSourceRanges: Forbidden: may only be used when `type` is 'LoadBalancer'",
                serviceErrors("loadBalancerSourceRanges: [10.0.0.0/8]\nports: [{port: 80}]"));
        assertEquals(WEB + "spec.LoadBalancerSourceRanges[1]: Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, "
                        + "(e.g. 10.9.8.0/24 or 2001:db8::/64)",
                serviceErrors("type: LoadBalancer\nloadBalancerSourceRanges: [192.0.2.0/24, 10.0.0.0/33]\nports: [{port: 80}]"));
    }

    @Test
    void sourceRangesAnnotation() {
        String a = "metadata.annotations[service.beta.kubernetes.io/load-balancer-source-ranges]";
        assertEquals(WEB + "\n* " + a + ": Forbidden: may only be used when `type` is 'LoadBalancer'"
                        + "\n* " + a + ": Invalid value: \"nope\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
                errorsOf("metadata:\n  name: web\n  annotations: {service.beta.kubernetes.io/load-balancer-source-ranges: "
                        + "'10.0.0.0/8, nope'}\nspec:\n  ports: [{port: 80}]"));
    }

    @Test
    void externalTrafficPolicyOnlyForExternallyAccessible() {
        assertEquals(WEB + "spec.externalTrafficPolicy: Invalid value: \"Local\": may only be set for externally-accessible services",
                serviceErrors("externalTrafficPolicy: Local\nports: [{port: 80}]"));
        assertEquals(WEB + "spec.externalTrafficPolicy: Unsupported value: \"Global\": supported values: \"Cluster\", \"Local\"",
                serviceErrors("type: NodePort\nexternalTrafficPolicy: Global\nports: [{port: 80}]"));
    }

    @Test
    void healthCheckNodePortOnlyForLoadBalancerLocal() {
        assertEquals(WEB + "spec.healthCheckNodePort: Invalid value: 32000: may only be set when `type` is 'LoadBalancer' "
                        + "and `externalTrafficPolicy` is 'Local'",
                serviceErrors("type: NodePort\nhealthCheckNodePort: 32000\nports: [{port: 80}]"));
        assertEquals(WEB + "spec.healthCheckNodePort: Invalid value: 20000: provided port is not in the valid range. "
                        + "The range of valid ports is 30000-32767",
                serviceErrors("type: LoadBalancer\nexternalTrafficPolicy: Local\nhealthCheckNodePort: 20000\nports: [{port: 80}]"));
    }

    @Test
    void internalTrafficPolicyValues() {
        assertEquals(WEB + "spec.internalTrafficPolicy: Unsupported value: \"Remote\": supported values: \"Cluster\", \"Local\"",
                serviceErrors("internalTrafficPolicy: Remote\nports: [{port: 80}]"));
    }

    @Test
    void trafficDistributionMustBePreferClose() {
        assertEquals(WEB + "spec.trafficDistribution: Unsupported value: \"PreferFar\": supported values: \"PreferClose\"",
                serviceErrors("trafficDistribution: PreferFar\nports: [{port: 80}]"));
    }

    @Test
    void loadBalancerOnlyFields() {
        assertEquals(WEB + "\n* spec.allocateLoadBalancerNodePorts: Forbidden: may only be used when `type` is 'LoadBalancer'"
                        + "\n* spec.loadBalancerClass: Forbidden: may only be used when `type` is 'LoadBalancer'",
                serviceErrors("allocateLoadBalancerNodePorts: false\nloadBalancerClass: example.com/lb\nports: [{port: 80}]"));
        assertEquals(WEB + "spec.loadBalancerClass: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric "
                        + "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. "
                        + "'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                        + "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' "
                        + "(e.g. 'example.com/MyName')",
                serviceErrors("type: LoadBalancer\nloadBalancerClass: a/b/c\nports: [{port: 80}]"));
    }

    @Test
    void selectorLabelsAreChecked() {
        assertEquals(WEB + "spec.selector: Invalid value: \"-web\": a valid label must be an empty string or consist of "
                        + "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
                        + "(e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
                        + "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
                serviceErrors("selector: {app: '-web'}\nports: [{port: 80}]"));
    }

    // ---- several causes ----

    @Test
    void severalCausesRenderAsKubectlList() {
        assertEquals("The Service \"web\" is invalid: \n"
                        + "* spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive\n"
                        + "* spec.ports[0].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"\n"
                        + "* spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive\n"
                        + "* spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
                serviceErrors("ports: [{port: 0, protocol: ICMP, targetPort: 70000, nodePort: 30001}]"));
    }
}
