package dev.clusterdns.dns.cluster;

import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Service;
import java.util.List;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;

/**
 * What one Service puts into a {@link ClusterZone}, kept with the objects it was made from so the next
 * snapshot can reuse it whole when the Service and its EndpointSlices did not change.
 *
 * @param service the Service it was built from
 * @param slices its EndpointSlices as the snapshot listed them
 * @param nodes its names (all below the Service's own name), answers pre-encoded
 * @param transfer its records in zone-transfer order
 * @param ptrs the reverse records it asks for (merged across Services by the zone)
 * @param clusterIpPtrs the reverse names of its ClusterIPs (these beat endpoint claims)
 */
record ServicePart(Service service, List<EndpointSlice> slices, List<ClusterZone.Node> nodes, List<Record> transfer,
        List<ZoneBuilder.PtrClaim> ptrs, List<Name> clusterIpPtrs) {

    /** True when {@code s} and {@code sl} are what this part was built from (identity first, then equals). */
    boolean builtFrom(Service s, List<EndpointSlice> sl) {
        return (service == s || service.equals(s)) && (slices == sl || slices.equals(sl));
    }

    /** The same records, holding the newer (equal) objects so older snapshots can be collected. */
    ServicePart from(Service s, List<EndpointSlice> sl) {
        return service == s && slices == sl ? this : new ServicePart(s, sl, nodes, transfer, ptrs, clusterIpPtrs);
    }

    String name() {
        return service.metadata().name();
    }

    String namespace() {
        return service.metadata().namespace();
    }
}
