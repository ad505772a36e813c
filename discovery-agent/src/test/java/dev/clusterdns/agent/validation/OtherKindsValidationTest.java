package dev.clusterdns.agent.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clusterdns.agent.model.ConfigMap;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.Namespace;
import dev.clusterdns.agent.model.Secret;
import dev.clusterdns.agent.model.Workload;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Namespace, EndpointSlice, Endpoints, ConfigMap, Secret and workload validation. */
class OtherKindsValidationTest {

    private static List<String> render(List<FieldError> errors) {
        return errors.stream().map(FieldError::render).toList();
    }

    private static List<String> namespace(String yaml) {
        return render(Validation.namespace(Defaults.namespace(Manifests.read(yaml, Namespace.class))));
    }

    private static List<String> slice(String yaml) {
        return render(Validation.endpointSlice(Defaults.endpointSlice(Manifests.read(yaml, EndpointSlice.class))));
    }

    private static List<String> endpoints(String yaml) {
        return render(Validation.endpoints(Defaults.endpoints(Manifests.read(yaml, Endpoints.class))));
    }

    private static List<String> configMap(String yaml) {
        return render(Validation.configMap(Defaults.configMap(Manifests.read(yaml, ConfigMap.class))));
    }

    private static List<String> secret(String yaml) {
        return render(Validation.secret(Defaults.secret(Manifests.read(yaml, Secret.class))));
    }

    private static List<String> workload(String yaml) {
        return render(Validation.workload(Defaults.workload(Manifests.read(yaml, Workload.class))));
    }

    private static final String SLICE_HEAD = "metadata: {name: web-abc, labels: {kubernetes.io/service-name: web}}\n";

    @Test
    void namespaceNameIsDns1123Label() {
        assertEquals(List.of(), namespace("metadata: {name: shop}"));
        assertEquals(List.of("metadata.name: Invalid value: \"shop.eu\": must not contain dots"), namespace("metadata: {name: shop.eu}"));
        assertEquals(List.of("metadata.name: Required value: name or generateName is required"), namespace("metadata: {}"));
    }

    @Test
    void validSliceHasNoErrors() {
        assertEquals(List.of(), slice(SLICE_HEAD + """
                addressType: IPv4
                endpoints:
                - addresses: [10.1.0.5]
                  conditions: {ready: true}
                  hostname: web-0
                  nodeName: node-1
                ports: [{name: http, port: 8080, protocol: TCP}, {name: dns, port: 53, protocol: UDP}]
                """));
        assertEquals(List.of(), slice(SLICE_HEAD + "addressType: FQDN\nendpoints: [{addresses: [db.example.com]}]"));
        assertEquals(List.of(), slice(SLICE_HEAD + "addressType: IPv6\nendpoints: [{addresses: ['fd00::5']}]"));
    }

    @Test
    void sliceAddressType() {
        assertEquals(List.of("addressType: Required value"), slice(SLICE_HEAD + "endpoints: []"));
        assertEquals(List.of("addressType: Unsupported value: \"IP\": supported values: \"FQDN\", \"IPv4\", \"IPv6\""),
                slice(SLICE_HEAD + "addressType: IP"));
    }

    @Test
    void sliceAddressesMustMatchTheType() {
        assertEquals(List.of("endpoints[0].addresses[0]: Invalid value: \"fd00::5\": must be a valid IPv4 address"),
                slice(SLICE_HEAD + "addressType: IPv4\nendpoints: [{addresses: ['fd00::5']}]"));
        assertEquals(List.of("endpoints[0].addresses[0]: Invalid value: \"10.1.0.5\": must be a valid IPv6 address"),
                slice(SLICE_HEAD + "addressType: IPv6\nendpoints: [{addresses: [10.1.0.5]}]"));
        // Loopback is allowed on purpose (backends on this host), unlike the API server.
        assertEquals(List.of(), slice(SLICE_HEAD + "addressType: IPv4\nendpoints: [{addresses: [127.0.0.1]}]"));
        assertEquals(List.of("endpoints[0].addresses[0]: Invalid value: \"db\": should be a domain with at least two segments separated by dots"),
                slice(SLICE_HEAD + "addressType: FQDN\nendpoints: [{addresses: [db]}]"));
        assertEquals(List.of("endpoints[0].addresses: Required value: must contain at least 1 address"),
                slice(SLICE_HEAD + "addressType: IPv4\nendpoints: [{addresses: []}]"));
    }

    @Test
    void slicePorts() {
        assertEquals(List.of("ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
                        "ports[1].name: Duplicate value: \"\"",
                        "ports[1].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\""),
                slice(SLICE_HEAD + "addressType: IPv4\nports: [{port: 70000}, {port: 80, protocol: ICMP}]"));
    }

    @Test
    void sliceNeedsItsServiceNameLabel() {
        assertEquals(List.of("metadata.labels[kubernetes.io/service-name]: Required value: names the Service this slice belongs to"),
                slice("metadata: {name: web-abc}\naddressType: IPv4"));
    }

    @Test
    void endpointsSubsets() {
        assertEquals(List.of(), endpoints("metadata: {name: web}\nsubsets: [{addresses: [{ip: 10.1.0.5, hostname: web-0}], "
                + "ports: [{name: http, port: 80}, {name: https, port: 443}]}]"));
        assertEquals(List.of("subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`"),
                endpoints("metadata: {name: web}\nsubsets: [{ports: [{port: 80}]}]"));
        assertEquals(List.of("subsets[0].addresses[0].ip: Invalid value: \"10.1.0\": must be a valid IP address, "
                        + "(e.g. 10.9.8.7 or 2001:db8::ffff)",
                        "subsets[0].addresses[0].ip: Invalid value: \"10.1.0\": must be a valid IP address",
                        "subsets[0].ports[0].name: Required value",
                        "subsets[0].ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive"),
                endpoints("metadata: {name: web}\nsubsets: [{addresses: [{ip: 10.1.0}], ports: [{port: 80}, {name: b}]}]"));
    }

    @Test
    void configMapKeys() {
        assertEquals(List.of(), configMap("metadata: {name: settings}\ndata: {LOG_LEVEL: debug, app.properties: x}"));
        assertEquals(List.of("data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric "
                        + "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for "
                        + "validation is '[-._a-zA-Z0-9]+')",
                        "data[..x]: Invalid value: \"..x\": must not start with '..'",
                        "data[k]: Invalid value: \"k\": duplicate of key present in binaryData",
                        "binaryData[k]: Invalid value: \"k\": duplicate of key present in data"),
                configMap("metadata: {name: settings}\ndata: {bad key: a, ..x: b, k: c}\nbinaryData: {k: YQ==}"));
    }

    @Test
    void secretKeysAndBase64() {
        assertEquals(List.of(), secret("metadata: {name: creds}\ndata: {password: cGFzcw==}\nstringData: {user: admin}"));
        assertEquals(List.of("data[user name]: Invalid value: \"user name\": a valid config key must consist of alphanumeric "
                        + "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for "
                        + "validation is '[-._a-zA-Z0-9]+')",
                        "data[password]: Invalid value: \"<value>\": must be base64-encoded"),
                secret("metadata: {name: creds}\ndata: {password: '***'}\nstringData: {user name: admin}"));
    }

    @Test
    void workloadSelectorMustMatchTemplate() {
        String ok = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: web}
                spec:
                  selector: {matchLabels: {app: web}}
                  template:
                    metadata: {labels: {app: web}}
                    spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]}
                """;
        assertEquals(List.of(), workload(ok));
        assertEquals(List.of("spec.template.metadata.labels: Invalid value: {\"app\":\"api\"}: `selector` does not match template `labels`"),
                workload(ok.replace("labels: {app: web}", "labels: {app: api}")));
        assertEquals(List.of("spec.selector: Required value"),
                workload(ok.replace("  selector: {matchLabels: {app: web}}\n", "")));
        assertEquals(List.of("spec.template.spec.containers[0].ports[0].containerPort: Invalid value: 70000: "
                        + "must be between 1 and 65535, inclusive"),
                workload(ok.replace("containerPort: 80", "containerPort: 70000")));
        assertEquals(List.of("spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""),
                workload(ok.replace("spec: {containers:", "spec: {restartPolicy: Never, containers:")));
    }
}
