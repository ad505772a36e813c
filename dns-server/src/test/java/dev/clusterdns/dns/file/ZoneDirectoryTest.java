package dev.clusterdns.dns.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class ZoneDirectoryTest {
    @TempDir
    Path dir;
    long clock = System.currentTimeMillis();

    static String zone(long serial, String address) {
        return "$ORIGIN lab.test.\n$TTL 60\n@ SOA ns admin " + serial + " 3600 600 86400 30\n  NS ns\nns A 192.0.2.1\nhost A " + address + "\n";
    }

    void write(Path file, String text) throws Exception {
        Files.writeString(file, text);
        clock += 2000;
        Files.setLastModifiedTime(file, FileTime.fromMillis(clock));
    }

    static String hostAddress(ZoneSet zones) throws Exception {
        Message m = new Message();
        zones.find(Name.fromString("host.lab.test.")).answer(Name.fromString("host.lab.test."), Type.A, m);
        return ((ARecord) m.getSection(Section.ANSWER).get(0)).getAddress().getHostAddress();
    }

    @Test
    void loadsAnyFileNameAndReloadsOnSerialChange() throws Exception {
        Path file = dir.resolve("whatever.txt");
        write(file, zone(1, "192.0.2.10"));
        ZoneDirectory d = new ZoneDirectory(dir);
        assertEquals("192.0.2.10", hostAddress(d.scan()));

        write(file, zone(1, "192.0.2.11"));
        assertEquals("192.0.2.10", hostAddress(d.scan()), "same serial: the loaded zone stays (as CoreDNS reload)");

        write(file, zone(2, "192.0.2.12"));
        assertEquals("192.0.2.12", hostAddress(d.scan()));
        assertEquals(2, d.zones().zone(Name.fromString("lab.test.")).serial());
    }

    @Test
    void aFileThatNoLongerParsesKeepsItsLastGoodZone() throws Exception {
        Path file = dir.resolve("lab.zone");
        write(file, zone(1, "192.0.2.10"));
        ZoneDirectory d = new ZoneDirectory(dir);
        d.scan();
        write(file, zone(2, "192.0.2.10") + "broken IN A not-an-address\n");
        assertEquals("192.0.2.10", hostAddress(d.scan()));
        assertEquals(1, d.problems().size());
        assertTrue(d.problems().get(0).contains("lab.zone"), d.problems().get(0));
        write(file, zone(3, "192.0.2.13"));
        assertEquals("192.0.2.13", hostAddress(d.scan()));
        assertEquals(List.of(), d.problems());
    }

    @Test
    void removedFilesDropTheirZoneAndBadZonesAreReported() throws Exception {
        Path file = dir.resolve("lab.zone");
        write(file, zone(1, "192.0.2.10"));
        write(dir.resolve("nosoa.zone"), "$ORIGIN x.test.\n$TTL 60\na A 192.0.2.1\n");
        write(dir.resolve("outside.zone"), "$ORIGIN y.test.\n$TTL 60\n@ SOA ns admin 1 1 1 1 1\n NS ns\nns A 192.0.2.1\nother.test. A 192.0.2.2\n");
        ZoneDirectory d = new ZoneDirectory(dir);
        d.scan();
        assertNotNull(d.zones().find(Name.fromString("host.lab.test.")));
        assertEquals(2, d.problems().size(), d.problems().toString());
        assertTrue(String.join("\n", d.problems()).contains("no SOA record"));
        assertTrue(String.join("\n", d.problems()).contains("other.test. A is outside the zone y.test."));
        Files.delete(file);
        d.scan();
        assertNull(d.zones().find(Name.fromString("host.lab.test.")));
    }

    @Test
    void includeAndAbsoluteNamesWithoutOrigin() throws Exception {
        write(dir.resolve("part.inc"), "extra.abs.test. 60 IN A 192.0.2.77\n");
        Files.createDirectory(dir.resolve("zones"));
        write(dir.resolve("zones").resolve("abs"), "abs.test. 60 IN SOA ns.abs.test. admin.abs.test. 1 2 3 4 5\n"
                + "abs.test. 60 IN NS ns.abs.test.\nns.abs.test. 60 IN A 192.0.2.1\n$INCLUDE " + dir.resolve("part.inc") + "\n");
        ZoneDirectory d = new ZoneDirectory(dir.resolve("zones"));
        FileZone z = d.scan().find(Name.fromString("extra.abs.test."));
        assertNotNull(z);
        Message m = new Message();
        z.answer(Name.fromString("extra.abs.test."), Type.A, m);
        assertEquals(1, m.getSection(Section.ANSWER).size());
    }

    @Test
    void axfrStreamsSoaRecordsSoaAndIxfrAtSameSerialIsOneSoa() throws Exception {
        write(dir.resolve("lab.zone"), zone(5, "192.0.2.10"));
        ZoneDirectory d = new ZoneDirectory(dir);
        d.scan();
        FileStage stage = new FileStage(d::zones);
        Reply axfr = ask(stage, Message.newQuery(Record.newRecord(Name.fromString("lab.test."), Type.AXFR, DClass.IN)));
        List<Record> all = new ArrayList<>(axfr.message().getSection(Section.ANSWER));
        axfr.continuation().forEach(m -> all.addAll(m.getSection(Section.ANSWER)));
        assertEquals(Type.SOA, all.get(0).getType());
        assertEquals(Type.SOA, all.get(all.size() - 1).getType());
        assertEquals(5, all.size(), "SOA, NS, ns A, host A, SOA: " + all);

        Message ixfr = Message.newQuery(Record.newRecord(Name.fromString("lab.test."), Type.IXFR, DClass.IN));
        ixfr.addRecord(new SOARecord(Name.fromString("lab.test."), DClass.IN, 0, Name.fromString("ns.lab.test."),
                Name.fromString("admin.lab.test."), 5, 0, 0, 0, 0), Section.AUTHORITY);
        Reply upToDate = ask(stage, ixfr);
        assertEquals(1, upToDate.message().getSection(Section.ANSWER).size());
        assertTrue(upToDate.continuation().isEmpty());

        Reply notApex = ask(stage, Message.newQuery(Record.newRecord(Name.fromString("host.lab.test."), Type.AXFR, DClass.IN)));
        assertEquals(Rcode.NOTAUTH, notApex.rcode());
    }

    @Test
    void largeZonesAreSplitOverSeveralMessages() throws Exception {
        StringBuilder z = new StringBuilder(zone(1, "192.0.2.10"));
        for (int i = 0; i < 450; i++) {
            z.append("h").append(i).append(" A 198.51.100.").append(i % 250).append('\n');
        }
        write(dir.resolve("big.zone"), z.toString());
        ZoneDirectory d = new ZoneDirectory(dir);
        d.scan();
        Reply axfr = ask(new FileStage(d::zones), Message.newQuery(Record.newRecord(Name.fromString("lab.test."), Type.AXFR, DClass.IN)));
        int total = axfr.message().getSection(Section.ANSWER).size();
        for (Message m : axfr.continuation()) {
            total += m.getSection(Section.ANSWER).size();
        }
        assertTrue(axfr.continuation().size() >= 2);
        assertEquals(455, total);
    }

    static Reply ask(FileStage stage, Message q) throws Exception {
        return stage.serve(Query.of(q, new InetSocketAddress("127.0.0.1", 9), QueryProtocol.TCP),
                x -> CompletableFuture.completedFuture(Reply.error(x, Rcode.REFUSED))).toCompletableFuture().get();
    }
}
