package dev.clusterdns.dns.transport;

import dev.clusterdns.dns.pipeline.StageOrder;
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
    /** NOERROR … REFUSED are kept per stage once resolved; rarer rcodes are looked up each time. */
    private static final int COMMON_RCODES = 6;

    private final DnsMetrics metrics;
    private final String server;
    private final CounterDataPoint[][][] requests; // [proto][family][type index]
    /** Stage names known up front (the `plugin` label), index 0 the empty name. */
    private final String[] plugins;
    /**
     * [plugin index][rcode], each child resolved on its first reply and kept (so only the pairs that
     * occur are exported, as CoreDNS does). Racing event loops may resolve one twice: the registry
     * hands both the same child.
     */
    private final CounterDataPoint[][] responses;
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
        plugins = new String[StageOrder.NAMES.size() + 1];
        plugins[0] = "";
        for (int i = 0; i < StageOrder.NAMES.size(); i++) {
            plugins[i + 1] = StageOrder.NAMES.get(i);
        }
        responses = new CounterDataPoint[plugins.length][COMMON_RCODES];
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

    private int pluginIndex(String plugin) {
        // Stages name themselves with the same literals as StageOrder: the identity pass finds them
        // without comparing characters.
        for (int i = 0; i < plugins.length; i++) {
            if (plugins[i] == plugin) {
                return i;
            }
        }
        for (int i = 0; i < plugins.length; i++) {
            if (plugins[i].equals(plugin)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * A reply went out.
     *
     * @param plugin the stage that made it ({@code Reply.plugin()}), empty when none did
     */
    void response(boolean tcp, int type, int rcode, String plugin, int size, long startNanos) {
        int p = pluginIndex(plugin);
        if (p >= 0 && rcode >= 0 && rcode < COMMON_RCODES) {
            CounterDataPoint child = responses[p][rcode];
            if (child == null) {
                child = metrics.responses.labelValues(server, ZONE, VIEW, Rcode.string(rcode), plugin);
                responses[p][rcode] = child;
            }
            child.inc();
        } else {
            metrics.responses.labelValues(server, ZONE, VIEW, Rcode.string(rcode), plugin).inc();
        }
        responseSize[tcp ? 1 : 0].observe(size);
        duration[typeIndex(type)].observe((System.nanoTime() - startNanos) / 1e9);
    }
}
