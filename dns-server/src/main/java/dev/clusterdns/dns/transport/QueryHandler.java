package dev.clusterdns.dns.transport;

import dev.clusterdns.dns.pipeline.Pipeline;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import dev.clusterdns.dns.pipeline.QueryProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
    private final ServerMetrics metrics;
    private final QueryLog log;
    /** Null when `--rrl-rate` is off. */
    private final ResponseRateLimit rrl;

    QueryHandler(Pipeline pipeline, ReplyEncoder encoder, ServerMetrics metrics, QueryLog log, ResponseRateLimit rrl) {
        this.pipeline = pipeline;
        this.encoder = encoder;
        this.metrics = metrics;
        this.log = log;
        this.rrl = rrl;
    }

    QueryHandler(Pipeline pipeline, ReplyEncoder encoder, ServerMetrics metrics, QueryLog log) {
        this(pipeline, encoder, metrics, log, null);
    }

    /**
     * Handles {@code wire} and hands the reply messages to {@code out} (possibly later, possibly on
     * another thread). Returns false, without ever calling {@code out}, when the packet is dropped.
     */
    boolean handle(byte[] wire, InetSocketAddress client, QueryProtocol transport, ReplySink out) {
        return handle(wire, wire.length, false, client, transport, out); // the caller's to keep: no copy
    }

    /**
     * The same for the message in {@code buffer[0, length)}, which the caller may overwrite once this
     * returns (the UDP socket's reused receive array): a query answered here reads it in place, one
     * that goes on asynchronously gets a copy first ({@link Query#owned()}).
     */
    boolean handle(byte[] buffer, int length, InetSocketAddress client, QueryProtocol transport, ReplySink out) {
        return handle(buffer, length, true, client, transport, out);
    }

    private boolean handle(byte[] buffer, int length, boolean lent, InetSocketAddress client, QueryProtocol transport,
            ReplySink out) {
        long start = System.nanoTime();
        boolean tcp = transport == QueryProtocol.TCP;
        if (length < 12 || (buffer[2] & 0x80) != 0) {
            return false; // no readable header, or a response: nothing to answer (never reflect responses)
        }
        boolean ipv6 = client != null && client.getAddress() instanceof java.net.Inet6Address;
        Query query;
        try {
            query = lent ? Query.parseLent(buffer, length, client, transport) : Query.parse(buffer, client, transport);
        } catch (IOException | RuntimeException e) {
            metrics.request(tcp, ipv6, -1, length, false);
            byte[] reply = formErr(buffer);
            metrics.response(tcp, -1, Rcode.FORMERR, "", reply.length, start);
            log.unparsed(client, Arrays.copyOf(buffer, length), transport, reply, start, e);
            out.send(Unpooled.wrappedBuffer(reply), client, true);
            return true;
        }
        Reply immediate;
        try {
            immediate = check(query);
        } catch (IllegalStateException malformed) {
            // The fast path took the header, but the full message does not parse (e.g. a bad EDNS option).
            metrics.request(tcp, ipv6, -1, length, false);
            byte[] reply = formErr(buffer);
            metrics.response(tcp, -1, Rcode.FORMERR, "", reply.length, start);
            log.unparsed(client, Arrays.copyOf(buffer, length), transport, reply, start, malformed);
            out.send(Unpooled.wrappedBuffer(reply), client, true);
            return true;
        }
        metrics.request(tcp, ipv6, query.type(), length, (query.ednsFlags() & org.xbill.DNS.ExtendedFlags.DO) != 0);
        if (immediate != null) {
            send(query, immediate, out, tcp, start);
            return true;
        }
        CompletionStage<Reply> pending;
        try {
            Reply now = pipeline.answerNow(query);
            if (now != null) {
                send(query, now, out, tcp, start); // answered from memory without the chain of futures
                return true;
            }
            // Stages may keep the query past this call (forwarding, the cache's pending fills): its
            // own bytes from here on, as the caller reuses the buffer for the next datagram.
            query = query.owned();
            pending = pipeline.serve(query);
        } catch (RuntimeException e) {
            LOG.warn("SERVFAIL for {} {} from {} over {}", query.name(), org.xbill.DNS.Type.string(query.type()),
                    query.client(), query.protocol(), e);
            send(query, Reply.error(query, Rcode.SERVFAIL), out, tcp, start);
            return true;
        }
        if (pending instanceof CompletableFuture<Reply> done && done.isDone() && !done.isCompletedExceptionally()) {
            // Answered from memory (cluster zone, zone files, cache): reply on this thread without
            // registering a callback.
            Reply reply = done.getNow(null);
            if (reply != null) {
                send(query, reply, out, tcp, start);
                return true;
            }
        }
        Query owned = query; // the owned copy taken above (for the callback)
        pending.whenComplete((reply, error) -> {
            if (error != null || reply == null) {
                if (error != null) {
                    // Once per failed query, with what identifies it (CoreDNS `errors`); the stack at debug.
                    LOG.warn("SERVFAIL for {} {} from {} over {}: {}", owned.name(), org.xbill.DNS.Type.string(owned.type()),
                            owned.client(), owned.protocol(), rootCause(error));
                    LOG.debug("query {} failed", owned.name(), error);
                }
                send(owned, Reply.error(owned, Rcode.SERVFAIL), out, tcp, start);
            } else {
                send(owned, reply, out, tcp, start);
            }
        });
        return true;
    }

    /** Replies decided from the header alone; null when the query goes down the pipeline. */
    private static Reply check(Query query) {
        if (query.opcode() != Opcode.QUERY) {
            return Reply.error(query, Rcode.NOTIMP);
        }
        // The fast path only takes one question: the full message is parsed only for the slow path.
        if (!query.hasQuestion()
                || (query.wire() == null && query.message().getHeader().getCount(Section.QUESTION) != 1)) {
            return Reply.error(query, Rcode.FORMERR);
        }
        if (query.wire() == null && optCount(query.message()) > 1) {
            return Reply.error(query, Rcode.FORMERR); // RFC 6891 §6.1.1 (the fast path reads one OPT at most)
        }
        if (query.hasEdns() && query.ednsVersion() != 0) {
            // BADVERS (16) = header rcode 0 + extended rcode 1; the encoder re-adds our OPT (version 0).
            Message m = Reply.error(query, Rcode.NOERROR).message();
            m.addRecord(new OPTRecord(0, 1, 0, 0), Section.ADDITIONAL);
            return Reply.of(m);
        }
        return null;
    }

    private static String rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.toString();
    }

    private static int optCount(Message m) {
        int n = 0;
        for (org.xbill.DNS.Record r : m.getSection(Section.ADDITIONAL)) {
            n += r.getType() == org.xbill.DNS.Type.OPT ? 1 : 0;
        }
        return n;
    }

    private void send(Query query, Reply reply, ReplySink out, boolean tcp, long start) {
        String plugin = reply.plugin();
        if (rrl != null && !tcp && query.client() != null) {
            switch (rrl.check(query.client().getAddress())) {
                case DROP:
                    return;
                case SLIP:
                    // Empty and truncated: a real client retries over TCP, which is not limited.
                    Message slip = Reply.error(query, reply.rcode()).message();
                    slip.getHeader().setFlag(org.xbill.DNS.Flags.TC);
                    reply = Reply.of(slip);
                    break;
                default:
                    break;
            }
        }
        ByteBuf first;
        List<ByteBuf> rest;
        try {
            first = encoder.first(query, reply, out);
            try {
                rest = encoder.rest(query, reply);
            } catch (RuntimeException e) {
                first.release();
                throw e;
            }
        } catch (RuntimeException e) {
            LOG.warn("cannot encode reply to {}", query.name(), e);
            reply = Reply.error(query, Rcode.SERVFAIL);
            first = encoder.first(query, reply, out);
            rest = List.of();
        }
        int size = first.readableBytes();
        for (int i = 0; i < rest.size(); i++) { // no iterator per reply
            size += rest.get(i).readableBytes();
        }
        metrics.response(tcp, query.type(), reply.rcode(), plugin, size, start);
        if (log.enabled()) { // the flags are read back from the buffer only for the log line
            log.answered(query, first.getUnsignedShort(first.readerIndex() + 2), size, start);
        }
        InetSocketAddress client = query.client();
        out.send(first, client, rest.isEmpty());
        for (int i = 0; i < rest.size(); i++) {
            out.send(rest.get(i), client, i == rest.size() - 1);
        }
    }

    /**
     * FORMERR for a query whose header reads but the rest does not: ID and opcode echoed, RD too for
     * QUERY (RD means nothing for other opcodes), no sections.
     */
    private static byte[] formErr(byte[] wire) {
        byte[] r = new byte[12];
        r[0] = wire[0];
        r[1] = wire[1];
        boolean query = (wire[2] & 0x78) == 0;
        r[2] = (byte) (0x80 | (wire[2] & (query ? 0x79 : 0x78))); // QR, opcode and (QUERY only) RD
        r[3] = (byte) Rcode.FORMERR;
        return r;
    }
}
