package dev.clusterdns.agent.validation;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Service;
import java.io.UncheckedIOException;

/** Test manifests written as YAML, bound with the same Jackson setup the loader uses. */
final class Manifests {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private Manifests() {}

    static <T> T read(String yaml, Class<T> type) {
        try {
            return YAML.readValue(yaml, type);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Service named web whose spec is the given (indented by four) YAML. */
    static Service service(String specYaml) {
        return read("""
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                spec:
                """ + specYaml.indent(2), Service.class);
    }

    static Service defaultedService(String specYaml) {
        return Defaults.service(service(specYaml));
    }

    /** kubectl's text for the defaulted Service, or "" when it is valid. */
    static String serviceErrors(String specYaml) {
        Service s = defaultedService(specYaml);
        var errors = Validation.service(s);
        return errors.isEmpty() ? "" : FieldError.kubectlMessage("Service", s.name(), errors);
    }

    static Pod pod(String yaml) {
        return Defaults.pod(read(yaml, Pod.class));
    }

    static String podErrors(String yaml) {
        Pod p = pod(yaml);
        var errors = Validation.pod(p);
        return errors.isEmpty() ? "" : FieldError.kubectlMessage("Pod", p.name(), errors);
    }
}
