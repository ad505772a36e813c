package dev.clusterdns.dns.transport;

import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.QueryProtocol;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * `--log-queries`: one line per answered query in the layout of CoreDNS's `log` plugin, so tools that
 * read CoreDNS logs read ours:
 *
 * <pre>{remote}:{port} - {id} "{type} {class} {name} {proto} {size} {do} {bufsize}" {rcode} {flags} {rsize} {duration}</pre>
 *
 * e.g. {@code 127.0.0.1:40212 - 36520 "A IN web.shop.svc.cluster.local. udp 56 false 1232" NOERROR
 * qr,aa,rd 104 0.000081s}. Written to the logger {@code dev.clusterdns.dns.query} at INFO.
 */
final class QueryLog {
    private static final Logger LOG = LoggerFactory.getLogger("dev.clusterdns.dns.query");
    static final QueryLog OFF = new QueryLog(false);

    private final boolean enabled;

    QueryLog(boolean enabled) {
        this.enabled = enabled;
    }

    /** False for {@link #OFF}: callers skip reading what only the log line would use. */
    boolean enabled() {
        return enabled;
    }

    /** @param replyFlags the reply's header flags word (bytes 2 and 3: QR ... rcode) */
    void answered(Query q, int replyFlags, int replySize, long startNanos) {
        if (!enabled) {
            return;
        }
        int bufsize = q.protocol() == QueryProtocol.TCP ? 65535 : q.hasEdns() ? Math.max(512, q.ednsPayload()) : 512;
        LOG.info(line(q.client(), q.id(), Type.string(q.type()), DClass.string(q.dclass()),
                q.name() == null ? "." : q.name().toString(), q.protocol(), q.size(),
                (q.ednsFlags() & ExtendedFlags.DO) != 0, bufsize, replyFlags, replySize, startNanos));
    }

    /** A query that did not parse (answered FORMERR): what the header tells, and why. */
    void unparsed(InetSocketAddress client, byte[] wire, QueryProtocol protocol, byte[] reply, long startNanos, Exception why) {
        if (!enabled) {
            return;
        }
        int id = (wire[0] & 0xff) << 8 | (wire[1] & 0xff);
        LOG.info(line(client, id, "-", "-", "-", protocol, wire.length, false, 0, (reply[2] & 0xff) << 8 | (reply[3] & 0xff),
                reply.length, startNanos)
                + " (" + why.getMessage() + ")");
    }

    private static String line(InetSocketAddress client, int id, String type, String dclass, String name,
            QueryProtocol protocol, int size, boolean dnssecOk, int bufsize, int replyFlags, int replySize, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        String remote = client == null ? "-" : client.getAddress().getHostAddress();
        int port = client == null ? 0 : client.getPort();
        return remote + ":" + port + " - " + id + " \"" + type + " " + dclass + " " + name + " "
                + (protocol == QueryProtocol.TCP ? "tcp" : "udp") + " " + size + " " + dnssecOk + " " + bufsize + "\" "
                + Rcode.string(replyFlags & 0x0f) + " " + flags(replyFlags) + " " + replySize + " "
                + java.math.BigDecimal.valueOf(seconds).stripTrailingZeros().toPlainString() + "s";
    }

    /** Header flags of a reply as CoreDNS prints them: `qr,aa,tc,rd,ra,z,ad,cd`, set ones only. */
    static String flags(int replyFlags) {
        StringBuilder sb = new StringBuilder();
        int hi = replyFlags >> 8 & 0xff;
        int lo = replyFlags & 0xff;
        flag(sb, (hi & 0x80) != 0, "qr");
        flag(sb, (hi & 0x04) != 0, "aa");
        flag(sb, (hi & 0x02) != 0, "tc");
        flag(sb, (hi & 0x01) != 0, "rd");
        flag(sb, (lo & 0x80) != 0, "ra");
        flag(sb, (lo & 0x40) != 0, "z");
        flag(sb, (lo & 0x20) != 0, "ad");
        flag(sb, (lo & 0x10) != 0, "cd");
        return sb.toString();
    }

    private static void flag(StringBuilder sb, boolean on, String name) {
        if (on) {
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(name);
        }
    }
}
