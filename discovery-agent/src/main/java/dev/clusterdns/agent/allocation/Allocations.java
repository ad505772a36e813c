package dev.clusterdns.agent.allocation;

import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.validation.FieldError;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one {@link ServiceAllocator#reconcile}.
 *
 * @param services every Service that got what it needs, with addresses and ports filled in, in
 *     the order given
 * @param rejected Services whose request could not be met, by `namespace/name`, with the errors
 *     to report (in the order given)
 */
public record Allocations(List<Service> services, Map<String, List<FieldError>> rejected) {
    public Allocations {
        services = List.copyOf(services);
        LinkedHashMap<String, List<FieldError>> copy = new LinkedHashMap<>();
        rejected.forEach((k, v) -> copy.put(k, List.copyOf(v)));
        rejected = Collections.unmodifiableMap(copy);
    }
}
