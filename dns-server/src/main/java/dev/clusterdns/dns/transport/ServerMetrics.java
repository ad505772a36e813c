package dev.clusterdns.dns.transport;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** {@link DnsMetrics} of one listen address with every label child resolved once: the hot path only increments. */
final class ServerMetrics {
    /** The types CoreDNS counts by name; everything else is `other`. */
    private static final int[] TYPES = {Type.A, Type.AAAA, Type.MX, Type.SOA, Type.CNAME, Type.PTR, Type.TXT, Type.NS,
        Type.SRV, Type.DS, Type.DNSKEY, Type.RRSIG, Type.NSEC, Type.NSEC3, Type.HINFO, Type.NAPTR, Type.IXFR,
        Type.AXFR, Type.ANY, Type.HTTPS, Type.SVCB};
    private static final String ZONE = ".";
    private static final String VIEW = "";
    /** NOERROR … REFUSED pre-resolved; rarer rcodes on first use. */
    private static final int COMMON_RCODES = 6;

    private final DnsMetrics metrics;
    private final String server;
    private final CounterDataPoint[][][] requests; // [proto][family][type index]
    private final CounterDataPoint[] responses;
    private final DistributionDataPoint[] duration; // [type index]
    private final DistributionDataPoint[] requestSize; // [proto]
    private final DistributionDataPoint[] responseSize; // [proto]
    private final CounterDataPoint doRequests;

    ServerMetrics(DnsMetrics metrics, String server) {
        this.metrics = metrics;
        this.server = server;
        String[] protos = {"udp", "tcp"};
        String[] families = {"1", "2"};
        requests = new CounterDataPoint[2][2][TYPES.length + 1];
        requestSize = new DistributionDataPoint[2];
        responseSize = new DistributionDataPoint[2];
        duration = new DistributionDataPoint[TYPES.length + 1];
        for (int t = 0; t <= TYPES.length; t++) {
            String type = t < TYPES.length ? Type.string(TYPES[t]) : "other";
            duration[t] = metrics.duration.labelValues(server, ZONE, VIEW, type);
            for (int p = 0; p < 2; p++) {
                for (int f = 0; f < 2; f++) {
                    requests[p][f][t] = metrics.requests.labelValues(server, ZONE, VIEW, protos[p], families[f], type);
                }
            }
        }
        for (int p = 0; p < 2; p++) {
            requestSize[p] = metrics.requestSize.labelValues(server, ZONE, VIEW, protos[p]);
            responseSize[p] = metrics.responseSize.labelValues(server, ZONE, VIEW, protos[p]);
        }
        responses = new CounterDataPoint[COMMON_RCODES];
        for (int r = 0; r < COMMON_RCODES; r++) {
            responses[r] = metrics.responses.labelValues(server, ZONE, VIEW, Rcode.string(r), "");
        }
        doRequests = metrics.doRequests.labelValues(server, VIEW, ZONE);
    }

    private static int typeIndex(int type) {
        for (int i = 0; i < TYPES.length; i++) {
            if (TYPES[i] == type) {
                return i;
            }
        }
        return TYPES.length;
    }

    /**
     * A query came in.
     *
     * @param ipv6 the client's address family
     * @param size the query's length in bytes
     */
    void request(boolean tcp, boolean ipv6, int type, int size, boolean dnssecOk) {
        requests[tcp ? 1 : 0][ipv6 ? 1 : 0][typeIndex(type)].inc();
        requestSize[tcp ? 1 : 0].observe(size);
        if (dnssecOk) {
            doRequests.inc();
        }
    }

    void response(boolean tcp, int type, int rcode, int size, long startNanos) {
        if (rcode >= 0 && rcode < COMMON_RCODES) {
            responses[rcode].inc();
        } else {
            metrics.responses.labelValues(server, ZONE, VIEW, Rcode.string(rcode), "").inc();
        }
        responseSize[tcp ? 1 : 0].observe(size);
        duration[typeIndex(type)].observe((System.nanoTime() - startNanos) / 1e9);
    }
}
