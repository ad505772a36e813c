package dev.clusterdns.agent.allocation;

import dev.clusterdns.agent.allocation.AllocationState.Holder;
import dev.clusterdns.agent.model.LoadBalancerIngress;
import dev.clusterdns.agent.model.LoadBalancerStatus;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServiceSpec;
import dev.clusterdns.agent.model.ServiceStatus;
import dev.clusterdns.agent.net.IpAddresses;
import dev.clusterdns.agent.validation.FieldError;
import java.util.List;

/**
 * LoadBalancer ingress IPs from `--loadbalancer-cidr`, one per LoadBalancer Service, as a
 * LoadBalancer controller would hand them out; `spec.loadBalancerIP` is honoured when free.
 */
final class LoadBalancerPool {
    private final IpRange range;

    /** @throws IllegalArgumentException when {@code cidr} is unusable */
    LoadBalancerPool(String cidr) {
        this.range = IpRange.parse(cidr, "--loadbalancer-cidr");
    }

    /** Frees the address {@code held} names (before its Service is planned again, or when it is gone). */
    void release(Holder held) {
        if (held.loadBalancerIP() != null) {
            range.free(held.loadBalancerIP());
        }
    }

    /** What a Service of {@code type} needs: one address when it is a LoadBalancer. */
    Request request(ServiceSpec spec, String type) {
        if (!Service.TYPE_LOAD_BALANCER.equals(type)) {
            return new Request(false, null, null);
        }
        String asked = spec.loadBalancerIP();
        String explicit = null;
        if (asked != null && !asked.isBlank()) {
            String ip = asked.trim();
            explicit = IpAddresses.isValid(ip) ? IpAddresses.canonical(ip) : ip;
        }
        return new Request(true, asked, explicit);
    }

    /** One Service's LoadBalancer IP: whether it needs one and what it holds. */
    final class Request {
        private final boolean needed;
        /** `spec.loadBalancerIP` as given, for error messages. */
        private final String asked;
        /** The address the spec asks for (canonical when it parses); null for any. */
        private final String explicit;
        private String ip;

        private Request(boolean needed, String asked, String explicit) {
            this.needed = needed;
            this.asked = asked;
            this.explicit = explicit;
        }

        /** Re-takes what {@code prior} held, unless the spec asks for another address. */
        void takeHeld(Holder prior) {
            String held = prior.loadBalancerIP();
            if (needed && held != null && (explicit == null || explicit.equals(held)) && range.claim(held) == Claim.TAKEN) {
                ip = held;
            }
        }

        /** Takes the address the spec asks for; what it takes can be given back by {@code undo}. */
        void takeExplicit(List<FieldError> errors, List<Runnable> undo) {
            if (!needed || ip != null || explicit == null) {
                return;
            }
            String field = "spec.loadBalancerIP";
            switch (range.claim(explicit)) {
                case TAKEN -> {
                    undo.add(() -> range.free(explicit));
                    ip = explicit;
                    undo.add(() -> ip = null);
                }
                case IN_USE -> errors.add(FieldError.invalid(field, asked,
                        "failed to allocate IP " + explicit + ": provided IP is already allocated"));
                case OUT_OF_RANGE -> errors.add(FieldError.invalid(field, asked,
                        "failed to allocate IP " + explicit + ": " + range.notInRange(explicit)));
            }
        }

        /** Picks an address when still without one; false (with an error) when the range is full. */
        boolean takeDynamic(List<FieldError> errors, List<Runnable> undo, ScanStart start) {
            if (!needed || ip != null) {
                return true;
            }
            String picked = range.claimNext(start.forClaim("lb"));
            if (picked == null) {
                errors.add(FieldError.internal("", "failed to allocate a loadBalancer IP: range is full"));
                return false;
            }
            ip = picked;
            undo.add(() -> {
                range.free(picked);
                ip = null;
            });
            return true;
        }

        /** Null when none is held. */
        String held() {
            return ip;
        }

        /** {@code service} with its ingress IP in the status, when it is a LoadBalancer. */
        Service render(Service service) {
            if (!needed) {
                return service;
            }
            return service.withStatus(new ServiceStatus(new LoadBalancerStatus(
                    List.of(new LoadBalancerIngress(ip, null, null)))));
        }
    }
}
