package dev.clusterdns.dns.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.dns.pipeline.Next;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import dev.clusterdns.dns.pipeline.QueryProtocol;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class HostsStageTest {
    @TempDir
    Path dir;
    final Next refuse = q -> CompletableFuture.completedFuture(Reply.error(q, Rcode.REFUSED));

    Message ask(HostsStage h, String name, int type) throws Exception {
        Query q = Query.of(Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN)),
                new InetSocketAddress("127.0.0.1", 1), QueryProtocol.UDP);
        return h.serve(q, refuse).toCompletableFuture().get().message();
    }

    static List<String> answers(Message m) {
        List<String> out = new ArrayList<>();
        for (Record r : m.getSection(Section.ANSWER)) {
            out.add(Type.string(r.getType()) + " " + r.rdataToString() + " " + r.getTTL());
        }
        return out;
    }

    @Test
    void answersListedNamesAndPassesOthersOn() throws Exception {
        Path file = dir.resolve("hosts");
        Files.writeString(file, "# comment\n192.0.2.10 printer.lan printer   # trailing\n2001:db8::10 printer.lan\n192.0.2.11 nas.lan\n");
        HostsStage h = new HostsStage(file);
        Message a = ask(h, "printer.lan.", Type.A);
        assertEquals(List.of("A 192.0.2.10 3600"), answers(a));
        assertTrue(a.getHeader().getFlag(Flags.AA));
        assertEquals(List.of("AAAA 2001:db8:0:0:0:0:0:10 3600"), answers(ask(h, "PRINTER.lan.", Type.AAAA)));
        assertEquals(List.of("A 192.0.2.10 3600"), answers(ask(h, "printer.", Type.A)));
        Message nodata = ask(h, "nas.lan.", Type.AAAA);
        assertEquals(Rcode.NOERROR, nodata.getRcode());
        assertEquals(List.of(), answers(nodata));
        assertEquals(List.of("PTR printer.lan. 3600", "PTR printer. 3600"), answers(ask(h, "10.2.0.192.in-addr.arpa.", Type.PTR)));
        assertEquals(Rcode.REFUSED, ask(h, "other.lan.", Type.A).getRcode(), "unlisted names go on");
    }

    @Test
    void reloadsOnChangeAndKeepsLastGoodContent() throws Exception {
        Path file = dir.resolve("hosts");
        Files.writeString(file, "192.0.2.10 a.lan\n");
        HostsStage h = new HostsStage(file);
        Files.writeString(file, "192.0.2.20 a.lan\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
        assertEquals(List.of(Name.fromString("a.lan.")), List.copyOf(h.reload().forward().keySet()));
        assertEquals(List.of("A 192.0.2.20 3600"), answers(ask(h, "a.lan.", Type.A)));
        Files.writeString(file, "not-an-ip a.lan\n");
        Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 10000));
        h.reload();
        assertEquals(List.of("A 192.0.2.20 3600"), answers(ask(h, "a.lan.", Type.A)));
    }

    @Test
    void badLinesNameFileAndLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostsFile.parse(List.of("127.0.0.1 localhost", "banana"), "/etc/hosts"));
        assertEquals("/etc/hosts:2: expected 'ADDRESS NAME [ALIAS...]', got 'banana'", e.getMessage());
    }
}
