package dev.clusterdns.agent.validation;

import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Service;

/** Placeholder until the defaulting work lands. */
public final class Defaults {
    private Defaults() {}

    public static Service service(Service s) {
        return s;
    }

    public static Pod pod(Pod p) {
        return p;
    }

    public static EndpointSlice endpointSlice(EndpointSlice s) {
        return s;
    }

    public static Endpoints endpoints(Endpoints e) {
        return e;
    }
}
