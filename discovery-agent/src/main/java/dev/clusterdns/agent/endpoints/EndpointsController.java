package dev.clusterdns.agent.endpoints;

import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Service;
import java.util.List;

/** Placeholder until the endpoints controller lands. */
public final class EndpointsController {
    private EndpointsController() {}

    public static Result reconcile(List<Service> services, List<Pod> pods, List<EndpointSlice> givenSlices,
                                   List<Endpoints> givenEndpoints) {
        return new Result(givenSlices, givenEndpoints);
    }

    public record Result(List<EndpointSlice> endpointSlices, List<Endpoints> endpoints) {}
}
