package dev.clusterdns.dns.cluster;

import dev.clusterdns.agent.net.Cidr;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TextParseException;

/**
 * A zone this stage is authoritative for and its SOA values (the SOA CoreDNS's kubernetes plugin writes).
 *
 * @param origin the zone in lower case
 * @param cidr for a reverse zone, the service CIDR it was made from (null for the cluster zone)
 * @param serial Unix time of the last DNS-relevant change
 * @param ttl the record TTL; also the SOA MINIMUM
 */
record Apex(Name origin, Cidr cidr, long serial, int ttl) {
    static final int REFRESH = 7200;
    static final int RETRY = 1800;
    static final int EXPIRE = 86400;

    /** The SOA with owner, MNAME and RNAME built on {@code spelled} (the zone as the query spelled it). */
    SOARecord soa(Name spelled) {
        try {
            return new SOARecord(spelled, DClass.IN, Math.min(ttl, 300), Name.concatenate(NS_DNS, spelled),
                    Name.concatenate(HOSTMASTER, spelled), serial, REFRESH, RETRY, EXPIRE, ttl);
        } catch (org.xbill.DNS.NameTooLongException e) {
            throw new IllegalStateException(e);
        }
    }

    SOARecord soa() {
        return soa(origin);
    }

    private static final Name NS_DNS = relative("ns.dns");
    private static final Name HOSTMASTER = relative("hostmaster");

    private static Name relative(String s) {
        try {
            return Name.fromString(s);
        } catch (TextParseException e) {
            throw new IllegalStateException(e);
        }
    }
}
