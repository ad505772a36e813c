package dev.clusterdns.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ingresses and IngressClasses from manifests: valid ones in the snapshot, invalid ones reported. */
class IngressLoadingTest {
    @TempDir
    Path dir;

    @Test
    void validIngressesAreServedAndInvalidOnesReportedAsKubectlWould() throws Exception {
        Files.writeString(dir.resolve("ing.yaml"), """
                apiVersion: networking.k8s.io/v1
                kind: IngressClass
                metadata: {name: clusterdns, annotations: {ingressclass.kubernetes.io/is-default-class: "true"}}
                spec: {controller: clusterdns.dev/ingress}
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: good, namespace: shop}
                spec:
                  rules:
                  - http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
                ---
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: bad, namespace: shop}
                spec:
                  rules:
                  - http: {paths: [{path: /, backend: {service: {name: web, port: {number: 80}}}}]}
                """);
        ClusterSnapshot s = new ClusterAgent(new AgentConfig(List.of(dir), null, null, null, null, null)).loadOnce();
        assertTrue(s.ingress("shop", "good").isPresent());
        assertTrue(s.ingress("shop", "bad").isEmpty());
        assertEquals(List.of("good"), s.ingresses().stream().map(i -> i.name()).toList());
        assertTrue(s.ingress("shop", "good").orElseThrow().metadata().creationTimestamp() != null, "AGE needs a creation time");
        assertTrue(s.ingressClass("clusterdns").orElseThrow().isDefault());
        assertTrue(s.problems().stream().anyMatch(p -> p.message().equals("The Ingress \"bad\" is invalid: "
                + "spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified")), s.problems().toString());
    }
}
