package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/** A Secret; `data` is base64 as in the API, `stringData` plain (it wins, as the API server merges it). */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Secret(String apiVersion, String kind, ObjectMeta metadata, String type, Map<String, String> data,
                     Map<String, String> stringData) implements KubeObject {
    public Secret {
        apiVersion = Strings.shared(apiVersion);
        kind = Strings.shared(kind);
        data = Lists.copy(data);
        stringData = Lists.copy(stringData);
    }

    /** Decoded values, stringData merged over data. Throws IllegalArgumentException on bad base64. */
    public Map<String, String> decoded() {
        Map<String, String> out = new LinkedHashMap<>();
        data.forEach((k, v) -> out.put(k, new String(Base64.getMimeDecoder().decode(v), StandardCharsets.UTF_8)));
        out.putAll(stringData);
        return out;
    }
}
