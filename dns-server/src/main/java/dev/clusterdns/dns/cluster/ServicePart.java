package dev.clusterdns.dns.cluster;

import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Service;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * What one Service puts into a {@link ClusterZone}, kept with the objects it was made from so the next
 * snapshot can reuse it whole when the Service and its EndpointSlices did not change.
 *
 * @param service the Service it was built from
 * @param slices its EndpointSlices as the snapshot listed them (its endpoint names and PTRs are
 *     answered from them, see {@link EndpointNames})
 * @param nodes its names other than the per-endpoint ones (all below the Service's own name)
 * @param transfer its records in zone-transfer order
 */
record ServicePart(Service service, List<EndpointSlice> slices, Map<Name, ClusterZone.Node> nodes, List<Record> transfer) {

    /** Zone-transfer order of Services: by name, then namespace (as CoreDNS lists them). */
    static final Comparator<ServicePart> TRANSFER_ORDER =
            Comparator.comparing(ServicePart::name).thenComparing(ServicePart::namespace);

    /** True when {@code s} and {@code sl} are what this part was built from (identity first, then equals). */
    boolean builtFrom(Service s, List<EndpointSlice> sl) {
        return (service == s || service.equals(s)) && (slices == sl || slices.equals(sl));
    }

    /** The same records, holding the newer (equal) objects so older snapshots can be collected. */
    ServicePart from(Service s, List<EndpointSlice> sl) {
        return service == s && slices == sl ? this : new ServicePart(s, sl, nodes, transfer);
    }

    String name() {
        return service.metadata().name();
    }

    String namespace() {
        return service.metadata().namespace();
    }
}
