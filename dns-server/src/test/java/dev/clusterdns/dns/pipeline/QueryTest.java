package dev.clusterdns.dns.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.dns.DnsClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.CookieOption;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** The wire fast path reads what dnsjava reads, and falls back for everything else. */
class QueryTest {
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 1);

    @Test
    void fastPathMatchesDnsjava() throws IOException {
        Message m = DnsClient.query("WeB.shop.svc.cluster.local.", Type.SRV);
        m.getHeader().setFlag(Flags.CD);
        m.addRecord(new OPTRecord(4096, 0, 0, ExtendedFlags.DO, List.of(new CookieOption(new byte[8]))),
                Section.ADDITIONAL);
        byte[] wire = m.toWire();
        Query q = Query.parse(wire, CLIENT, QueryProtocol.UDP);
        assertNotNull(q.wire(), "simple shape takes the fast path");
        assertEquals("WeB.shop.svc.cluster.local.", q.name().toString());
        assertEquals(Type.SRV, q.type());
        assertEquals(m.getHeader().getID(), q.id());
        assertTrue(q.recursionDesired());
        assertTrue(q.flag(Flags.CD));
        assertEquals(4096, q.ednsPayload());
        assertEquals(ExtendedFlags.DO, q.ednsFlags() & ExtendedFlags.DO);
        assertEquals(wire.length, q.questionEnd() + 11 + 4 + 8);
        assertEquals(m.getOPT().getPayloadSize(), q.opt().getPayloadSize());
        assertEquals(m.toString(), q.message().toString());
        assertEquals(1232, q.maxReplySize(1232));
    }

    /**
     * A query read in place from a longer receive buffer ends at its length (the bytes after it are
     * the buffer's, not the message's), and its owned copy outlives the buffer being overwritten.
     */
    @Test
    void aLentBufferIsReadToTheMessagesLengthAndOwnedCopiesOutliveIt() throws IOException {
        Message m = DnsClient.edns(DnsClient.query("a.example.", Type.AAAA), 1400);
        byte[] wire = m.toWire();
        byte[] buffer = new byte[1232];
        java.util.Arrays.fill(buffer, (byte) 0x55); // what an earlier, longer datagram left behind
        System.arraycopy(wire, 0, buffer, 0, wire.length);
        Query lent = Query.parseLent(buffer, wire.length, CLIENT, QueryProtocol.UDP);
        assertNotNull(lent.wire(), "the fast path, though the buffer is longer than the message");
        assertEquals(wire.length, lent.size());
        assertEquals(m.toString(), lent.message().toString());
        Query owned = Query.parseLent(buffer, wire.length, CLIENT, QueryProtocol.UDP).owned();
        org.junit.jupiter.api.Assertions.assertSame(owned, owned.owned(), "an owned query is kept as it is");
        java.util.Arrays.fill(buffer, (byte) 0); // the next datagram
        assertEquals("a.example.", owned.name().toString());
        assertEquals(m.getHeader().getID(), owned.id());
        assertEquals(m.toString(), owned.message().toString());
        // Not the fast path's shape (two questions): read by dnsjava from a copy of the message alone.
        m.addRecord(org.xbill.DNS.Record.newRecord(org.xbill.DNS.Name.fromString("b.example."), Type.A,
                org.xbill.DNS.DClass.IN), Section.QUESTION);
        wire = m.toWire();
        System.arraycopy(wire, 0, buffer, 0, wire.length);
        Query slow = Query.parseLent(buffer, wire.length, CLIENT, QueryProtocol.UDP);
        assertNull(slow.wire());
        assertEquals(wire.length, slow.size());
        assertEquals(2, slow.message().getHeader().getCount(Section.QUESTION));
    }

    @Test
    void otherShapesUseDnsjava() throws IOException {
        Message m = DnsClient.query("web.shop.svc.cluster.local.", Type.A);
        m.addRecord(DnsClient.query("x.", Type.A).getQuestion(), Section.QUESTION);
        Query two = Query.parse(m.toWire(), CLIENT, QueryProtocol.TCP);
        assertNull(two.wire());
        assertEquals(2, two.message().getHeader().getCount(Section.QUESTION));
        assertEquals(65535, two.maxReplySize(1232));
        Query noEdns = Query.parse(DnsClient.query("a.", Type.A).toWire(), CLIENT, QueryProtocol.UDP);
        assertFalse(noEdns.hasEdns());
        assertNull(noEdns.opt());
        assertEquals(512, noEdns.maxReplySize(1232));
        assertThrows(IOException.class, () -> Query.parse(new byte[] {0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 9, 'a'},
                CLIENT, QueryProtocol.UDP));
    }

    @Test
    void withNameKeepsTheRest() throws IOException {
        Query q = Query.parse(DnsClient.edns(DnsClient.query("a.example.", Type.AAAA), 1400).toWire(), CLIENT,
                QueryProtocol.UDP);
        Query moved = q.withName(org.xbill.DNS.Name.fromString("b.example."));
        assertEquals("b.example.", moved.message().getQuestion().getName().toString());
        assertEquals(Type.AAAA, moved.type());
        assertEquals(q.id(), moved.id());
        assertEquals(1400, moved.ednsPayload());
    }
}
