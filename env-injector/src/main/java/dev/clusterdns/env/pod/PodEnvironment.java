package dev.clusterdns.env.pod;

import java.util.List;
import java.util.Map;

/**
 * A container's environment as kubelet would give it.
 *
 * @param variables name → value: the container's own variables in declaration order, then the
 *     service variables it did not define
 * @param warnings what kubelet would report as events but still start the container with (e.g.
 *     envFrom keys that are not valid variable names)
 */
public record PodEnvironment(Map<String, String> variables, List<String> warnings) {
    public PodEnvironment {
        variables = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(variables));
        warnings = List.copyOf(warnings);
    }
}
