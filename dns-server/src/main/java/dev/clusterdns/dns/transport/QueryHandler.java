package dev.clusterdns.dns.transport;

import dev.clusterdns.dns.pipeline.Pipeline;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import dev.clusterdns.dns.pipeline.Transport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

/**
 * One query from bytes to reply bytes, shared by UDP and TCP: header checks (RFC 8906 §8), EDNS
 * version, the pipeline, and the finishing encoder. Never throws: broken input gets FORMERR or is
 * dropped, a failing stage gets SERVFAIL.
 */
final class QueryHandler {
    private static final Logger LOG = LoggerFactory.getLogger(QueryHandler.class);

    private final Pipeline pipeline;
    private final ReplyEncoder encoder;
    private final DnsMetrics metrics;

    QueryHandler(Pipeline pipeline, ReplyEncoder encoder, DnsMetrics metrics) {
        this.pipeline = pipeline;
        this.encoder = encoder;
        this.metrics = metrics;
    }

    /**
     * Handles {@code wire} and calls {@code out} with the reply messages (possibly later, possibly on
     * another thread). Returns false, without ever calling {@code out}, when the packet is dropped.
     */
    boolean handle(byte[] wire, InetSocketAddress client, Transport transport, Consumer<List<byte[]>> out) {
        long start = System.nanoTime();
        boolean tcp = transport == Transport.TCP;
        if (wire.length < 12 || (wire[2] & 0x80) != 0) {
            return false; // no readable header, or a response: nothing to answer (never reflect responses)
        }
        Query query;
        try {
            query = Query.parse(wire, client, transport);
        } catch (IOException | RuntimeException e) {
            metrics.request(tcp, -1);
            metrics.response(tcp, Rcode.FORMERR, start);
            out.accept(List.of(formErr(wire)));
            return true;
        }
        Reply immediate;
        try {
            immediate = check(query);
        } catch (IllegalStateException malformed) {
            // The fast path took the header, but the full message does not parse (e.g. a bad EDNS option).
            metrics.request(tcp, -1);
            metrics.response(tcp, Rcode.FORMERR, start);
            out.accept(List.of(formErr(wire)));
            return true;
        }
        metrics.request(tcp, query.type());
        if (immediate != null) {
            send(query, immediate, out, tcp, start);
            return true;
        }
        CompletionStage<Reply> pending;
        try {
            pending = pipeline.serve(query);
        } catch (RuntimeException e) {
            LOG.warn("query {} failed", query.name(), e);
            send(query, Reply.error(query, Rcode.SERVFAIL), out, tcp, start);
            return true;
        }
        pending.whenComplete((reply, error) -> {
            if (error != null || reply == null) {
                if (error != null) {
                    LOG.debug("query {} failed", query.name(), error);
                }
                send(query, Reply.error(query, Rcode.SERVFAIL), out, tcp, start);
            } else {
                send(query, reply, out, tcp, start);
            }
        });
        return true;
    }

    /** Replies decided from the header alone; null when the query goes down the pipeline. */
    private static Reply check(Query query) {
        if (query.opcode() != Opcode.QUERY) {
            return Reply.error(query, Rcode.NOTIMP);
        }
        if (query.name() == null || query.message().getHeader().getCount(Section.QUESTION) != 1) {
            return Reply.error(query, Rcode.FORMERR);
        }
        if (query.hasEdns() && query.ednsVersion() != 0) {
            // BADVERS (16) = header rcode 0 + extended rcode 1; the encoder re-adds our OPT (version 0).
            Message m = Reply.error(query, Rcode.NOERROR).message();
            m.addRecord(new OPTRecord(0, 1, 0, 0), Section.ADDITIONAL);
            return Reply.of(m);
        }
        return null;
    }

    private void send(Query query, Reply reply, Consumer<List<byte[]>> out, boolean tcp, long start) {
        List<byte[]> wire;
        try {
            wire = encoder.encode(query, reply);
        } catch (RuntimeException e) {
            LOG.warn("cannot encode reply to {}", query.name(), e);
            wire = encoder.encode(query, Reply.error(query, Rcode.SERVFAIL));
        }
        metrics.response(tcp, reply.rcode(), start);
        out.accept(wire);
    }

    /** FORMERR for a query whose header reads but the rest does not: ID, opcode and RD echoed, no sections. */
    private static byte[] formErr(byte[] wire) {
        byte[] r = new byte[12];
        r[0] = wire[0];
        r[1] = wire[1];
        r[2] = (byte) (0x80 | (wire[2] & 0x79)); // QR, opcode and RD from the query
        r[3] = (byte) Rcode.FORMERR;
        return r;
    }
}
