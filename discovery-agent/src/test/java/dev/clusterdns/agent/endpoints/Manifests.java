package dev.clusterdns.agent.endpoints;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Service;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Test input written as Kubernetes manifests (multi-document YAML), bound to the model records. */
record Manifests(List<Service> services, List<Pod> pods, List<EndpointSlice> slices, List<Endpoints> endpoints) {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    static Manifests parse(String yaml) {
        Manifests m = new Manifests(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
            while (docs.hasNext()) {
                JsonNode doc = docs.next();
                if (doc == null || doc.isNull() || doc.isMissingNode()) {
                    continue;
                }
                switch (doc.path("kind").asText()) {
                    case "Service" -> m.services.add(YAML.treeToValue(doc, Service.class));
                    case "Pod" -> m.pods.add(YAML.treeToValue(doc, Pod.class));
                    case "EndpointSlice" -> m.slices.add(YAML.treeToValue(doc, EndpointSlice.class));
                    case "Endpoints" -> m.endpoints.add(YAML.treeToValue(doc, Endpoints.class));
                    default -> throw new IllegalArgumentException("unexpected kind in test manifest: " + doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return m;
    }

    static EndpointsController.Result reconcile(String yaml) {
        return parse(yaml).reconcile();
    }

    EndpointsController.Result reconcile() {
        return EndpointsController.reconcile(services, pods, slices, endpoints);
    }

    /** The Endpoints object named so in `namespace`. */
    static Optional<Endpoints> endpoints(EndpointsController.Result r, String namespace, String name) {
        return r.endpoints().stream()
                .filter(e -> namespace.equals(e.namespace()) && name.equals(e.name()))
                .findFirst();
    }

    /** The slices labelled with the Service name in `namespace`. */
    static List<EndpointSlice> slices(EndpointsController.Result r, String namespace, String service) {
        return r.endpointSlices().stream()
                .filter(s -> namespace.equals(s.namespace()) && service.equals(s.serviceName()))
                .toList();
    }

    static String toYaml(Object o) {
        try {
            return YAML.writeValueAsString(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
