package dev.clusterdns.agent.allocation;

import static dev.clusterdns.agent.allocation.ServiceFixture.allocator;
import static dev.clusterdns.agent.allocation.ServiceFixture.find;
import static dev.clusterdns.agent.allocation.ServiceFixture.ip;
import static dev.clusterdns.agent.allocation.ServiceFixture.nodePorts;
import static dev.clusterdns.agent.allocation.ServiceFixture.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.clusterdns.agent.AgentConfig;
import dev.clusterdns.agent.model.Service;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14 item 4: a damaged `allocations.json` costs at most the last change (the previous
 * generation is kept and used), and conflicting claims never move the older holder, nor anyone
 * silently. Real files in a temp dir; the log is read where slf4j-simple writes it (stderr).
 */
class DamagedStateTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private PrintStream savedErr;

    @BeforeEach
    void captureLog() {
        savedErr = System.err;
        System.setErr(new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreLog() {
        System.setErr(savedErr);
    }

    private String log() {
        return log.toString(StandardCharsets.UTF_8);
    }

    private AgentConfig config() {
        return ServiceFixture.config(List.of("10.0.0.0/16"), "30000-32767", "192.0.2.0/24", dir);
    }

    private static List<Service> twenty() {
        List<Service> out = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            out.add(service("svc" + i).type(Service.TYPE_NODE_PORT).port("TCP", 80).build());
        }
        return out;
    }

    private void damagedCurrentFallsBackToPrevious(String name, Function<byte[], byte[]> damage) throws IOException {
        List<Service> cluster = twenty();
        Allocations first = allocator(config(), 1).reconcile(cluster);
        List<Service> grown = new ArrayList<>(cluster);
        grown.add(service("late").build());
        allocator(config(), 1).reconcile(grown);
        Path current = dir.resolve("allocations.json");
        assertTrue(Files.exists(dir.resolve("allocations.json.prev")), "one generation is kept back");
        byte[] bad = damage.apply(Files.readAllBytes(current));
        Files.write(current, bad);

        // Another seed: anything allocated afresh would land elsewhere.
        Allocations after = allocator(config(), 999).reconcile(grown);
        for (Service s : first.services()) {
            String n = s.metadata().name();
            assertEquals(ip(first, n), ip(after, n), name + ": " + n + " kept its ClusterIP");
            assertEquals(nodePorts(first, n), nodePorts(after, n), name + ": " + n + " kept its NodePort");
        }
        assertTrue(Arrays.equals(bad, Files.readAllBytes(dir.resolve("allocations.json.corrupt"))),
                name + ": the damaged file is kept as .corrupt");
        assertTrue(log().contains("allocations.json is unreadable"), log());
        assertTrue(log().contains("using the previous generation"), log());
        // The next generation is whole again and needs no fallback.
        log.reset();
        Allocations again = allocator(config(), 5).reconcile(grown);
        assertEquals(after, again);
        assertTrue(!log().contains("unreadable"), log());
        Files.delete(dir.resolve("allocations.json.corrupt"));
        for (String f : List.of("allocations.json", "allocations.json.prev")) {
            Files.delete(dir.resolve(f));
        }
        log.reset();
    }

    @Test
    void anEmptyFileFallsBackToThePreviousGeneration() throws IOException {
        damagedCurrentFallsBackToPrevious("empty", b -> new byte[0]);
    }

    @Test
    void aTruncatedFileFallsBackToThePreviousGeneration() throws IOException {
        damagedCurrentFallsBackToPrevious("truncated", b -> Arrays.copyOf(b, b.length / 2));
    }

    @Test
    void garbageFallsBackToThePreviousGeneration() throws IOException {
        damagedCurrentFallsBackToPrevious("garbage", b -> {
            byte[] g = b.clone();
            for (int i = 0; i < g.length; i += 7) {
                g[i] = (byte) (g[i] * 31 + 17);
            }
            return g;
        });
        damagedCurrentFallsBackToPrevious("not an address", b -> new String(b, StandardCharsets.UTF_8)
                .replaceFirst("\"10\\.0\\.", "\"10.0.999.").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void aCrashBetweenTheTwoRenamesLeavesThePreviousGenerationInUse() throws IOException {
        Allocations first = allocator(config(), 1).reconcile(twenty());
        allocator(config(), 1).reconcile(twenty().subList(0, 19));
        // What the window between "current -> .prev" and "temp -> current" leaves on disk.
        Files.move(dir.resolve("allocations.json"), dir.resolve("allocations.json.prev"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Allocations after = allocator(config(), 999).reconcile(twenty().subList(0, 19));
        for (Service s : after.services()) {
            assertEquals(ip(first, s.metadata().name()), ip(after, s.metadata().name()));
        }
    }

    @Test
    void whenBothGenerationsAreDamagedBothAreKeptAndTheAllocatorStillWorks() throws IOException {
        allocator(config(), 1).reconcile(twenty());
        allocator(config(), 1).reconcile(twenty().subList(0, 10));
        Files.writeString(dir.resolve("allocations.json"), "");
        Files.writeString(dir.resolve("allocations.json.prev"), "{\"version\": 1, \"servi");
        Allocations a = allocator(config(), 1).reconcile(twenty());
        assertEquals(20, a.services().size());
        assertEquals("", Files.readString(dir.resolve("allocations.json.corrupt")));
        assertEquals("{\"version\": 1, \"servi", Files.readString(dir.resolve("allocations.json.prev.corrupt")));
        assertTrue(log().contains("no readable generation"), log());
    }

    /** Gives {@code newer} in the state file what {@code older} holds. */
    private void claimInFile(String newer, String older) throws IOException {
        ObjectMapper json = new ObjectMapper();
        Path f = dir.resolve("allocations.json");
        ObjectNode root = (ObjectNode) json.readTree(f.toFile());
        ObjectNode services = (ObjectNode) root.get("services");
        ObjectNode o = (ObjectNode) services.get("default/" + older);
        ObjectNode n = (ObjectNode) services.get("default/" + newer);
        n.set("clusterIPs", o.get("clusterIPs").deepCopy());
        ((ObjectNode) ((ArrayNode) n.get("nodePorts")).get(0)).put("nodePort", o.get("nodePorts").get(0).get("nodePort").asInt());
        json.writeValue(f.toFile(), root);
    }

    @Test
    void conflictingClaimsAreReportedNamingBothAndTheOlderKeepsItsAddress() throws IOException {
        List<Service> two = List.of(service("alpha").type(Service.TYPE_NODE_PORT).port("TCP", 80).build(),
                service("beta").type(Service.TYPE_NODE_PORT).port("TCP", 80).build());
        allocator(config(), 1).reconcile(two.subList(0, 1));
        Allocations before = allocator(config(), 1).reconcile(two);
        assertNotEquals(ip(before, "alpha"), ip(before, "beta"));
        claimInFile("beta", "alpha");

        Allocations after = allocator(config(), 7).reconcile(List.of(two.get(1), two.get(0)));
        assertEquals(ip(before, "alpha"), ip(after, "alpha"), "the older holder keeps its ClusterIP");
        assertEquals(nodePorts(before, "alpha"), nodePorts(after, "alpha"), "and its NodePort");
        assertNotEquals(ip(after, "alpha"), ip(after, "beta"));
        assertNotEquals(nodePorts(after, "alpha"), nodePorts(after, "beta"));
        String text = log();
        assertTrue(text.contains("default/beta and default/alpha both claim ClusterIP " + ip(before, "alpha")), text);
        assertTrue(text.contains("default/beta and default/alpha both claim NodePort " + nodePorts(before, "alpha").get(0)), text);
        assertTrue(text.contains("the older default/alpha keeps it"), text);
        // beta's move is said, with where it went.
        assertTrue(text.contains("allocation moved: default/beta: ClusterIP " + ip(before, "alpha") + " -> " + ip(after, "beta")), text);
        assertTrue(text.contains("allocation moved: default/beta: NodePort " + nodePorts(before, "alpha").get(0)), text);
        // The repaired state is what the next instance reads, without complaint.
        log.reset();
        Allocations third = allocator(config(), 3).reconcile(two);
        assertEquals(find(after, "beta"), find(third, "beta"));
        assertTrue(!log().contains("conflicting"), log());
    }

    @Test
    void anAddressThatMovesForAnyReasonIsLogged() throws IOException {
        allocator(config(), 1).reconcile(List.of(service("web").clusterIPs("10.0.0.10").build()));
        allocator(config(), 1).reconcile(List.of(service("web").clusterIPs("10.0.0.11").build()));
        assertTrue(log().contains("allocation moved: default/web: ClusterIP 10.0.0.10 -> 10.0.0.11"), log());
    }
}
