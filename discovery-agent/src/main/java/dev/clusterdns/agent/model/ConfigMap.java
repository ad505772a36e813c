package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ConfigMap(String apiVersion, String kind, ObjectMeta metadata, Map<String, String> data,
                        Map<String, String> binaryData) implements KubeObject {
    public ConfigMap {
        apiVersion = Strings.shared(apiVersion);
        kind = Strings.shared(kind);
        data = Lists.copy(data);
        binaryData = Lists.copy(binaryData);
    }
}
