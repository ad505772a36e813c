package dev.clusterdns.dns.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.Name;

/** A zone file cannot exhaust the server's memory: past {@link ZoneDirectory#MAX_RECORDS} it is refused, the last good zone stays. */
class ZoneFileLimitsTest {
    @TempDir
    Path dir;

    @Test
    void aGenerateOfBillionsOfRecordsIsRefusedAndTheLastGoodZoneServes() throws IOException {
        Path f = dir.resolve("g.zone");
        String head = "$ORIGIN g.\n$TTL 60\n@ SOA ns h 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n";
        Files.writeString(f, head);
        try (ZoneDirectory zones = new ZoneDirectory(dir)) {
            assertEquals(1, zones.scan().zone(Name.fromConstantString("g.")).serial());
            Files.writeString(f, head.replace(" 1 2 3 4 5", " 2 2 3 4 5") + "$GENERATE 1-4000000000 h$ A 192.0.2.9\n");
            f.toFile().setLastModified(System.currentTimeMillis() + 5000);
            ZoneSet after = zones.scan();
            assertTrue(zones.problems().get(0).contains("more than " + ZoneDirectory.MAX_RECORDS + " records"), zones.problems().toString());
            assertEquals(1, after.zone(Name.fromConstantString("g.")).serial(), "the last good zone still serves");
        }
    }
}
