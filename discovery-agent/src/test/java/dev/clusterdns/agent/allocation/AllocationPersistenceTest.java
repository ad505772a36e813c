package dev.clusterdns.agent.allocation;

import static dev.clusterdns.agent.allocation.ServiceFixture.allocator;
import static dev.clusterdns.agent.allocation.ServiceFixture.config;
import static dev.clusterdns.agent.allocation.ServiceFixture.errors;
import static dev.clusterdns.agent.allocation.ServiceFixture.find;
import static dev.clusterdns.agent.allocation.ServiceFixture.ip;
import static dev.clusterdns.agent.allocation.ServiceFixture.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.clusterdns.agent.AgentConfig;
import dev.clusterdns.agent.model.Service;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Allocations survive restarts through `allocations.json`; bad files never stop the allocator. */
class AllocationPersistenceTest {
    @TempDir
    Path dir;

    private AgentConfig config(Path stateDir) {
        return ServiceFixture.config(List.of("10.0.0.0/24", "fd00:10::/112"), null, "192.0.2.0/24", stateDir);
    }

    private static List<Service> cluster() {
        List<Service> out = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            out.add(service("svc" + i).build());
        }
        out.add(service("kubernetes").build());
        out.add(service("np").type(Service.TYPE_NODE_PORT).port("TCP", 53).port("UDP", 53).port("TCP", 80).build());
        out.add(service("lb").type(Service.TYPE_LOAD_BALANCER).local().port("TCP", 443).build());
        out.add(service("dual").families("PreferDualStack").build());
        out.add(service("fixed").clusterIPs("10.0.0.10").build());
        out.add(service("headless").headless().port("TCP", 80).build());
        out.add(service("ext").type(Service.TYPE_EXTERNAL_NAME).build());
        return out;
    }

    private static List<Service> reversed(List<Service> services) {
        List<Service> out = new ArrayList<>(services);
        java.util.Collections.reverse(out);
        return out;
    }

    private List<String> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aRestartWithTheSameManifestsYieldsIdenticalAllocations() {
        Allocations before = allocator(config(dir), 1).reconcile(cluster());
        assertTrue(before.rejected().isEmpty(), before.rejected().toString());
        // A different seed would pick different addresses if anything were allocated afresh.
        Allocations after = allocator(config(dir), 999).reconcile(cluster());
        assertEquals(before, after);
        Allocations reordered = allocator(config(dir), 5).reconcile(reversed(cluster()));
        for (Service s : before.services()) {
            assertEquals(s, find(reordered, s.metadata().name()));
        }
    }

    @Test
    void withoutAStateDirARestartAllocatesAfresh() {
        Allocations before = allocator(config(null), 1).reconcile(cluster());
        Allocations after = allocator(config(null), 999).reconcile(cluster());
        assertFalse(before.equals(after), "memory-only state must not leak between instances");
    }

    @Test
    void theStateFileIsReadableJson() throws IOException {
        Allocations a = allocator(config(dir), 1).reconcile(cluster());
        JsonNode root = new ObjectMapper().readTree(dir.resolve("allocations.json").toFile());
        assertEquals(1, root.get("version").asInt());
        JsonNode np = root.get("services").get("default/np");
        assertEquals(find(a, "np").spec().clusterIP(), np.get("clusterIPs").get(0).asText());
        assertEquals(3, np.get("nodePorts").size());
        assertEquals("UDP", np.get("nodePorts").get(1).get("protocol").asText());
        JsonNode lb = root.get("services").get("default/lb");
        assertEquals(find(a, "lb").loadBalancerIPs().get(0), lb.get("loadBalancerIP").asText());
        assertEquals(find(a, "lb").spec().healthCheckNodePort().intValue(), lb.get("healthCheckNodePort").asInt());
        assertEquals(2, root.get("services").get("default/dual").get("clusterIPs").size());
        assertTrue(root.get("services").get("default/svc0").get("sequence").asLong() > 0);
    }

    @Test
    void deletionIsPersistedSoTheNextInstanceCanReuseTheAddress() {
        allocator(config(dir), 1).reconcile(List.of(service("old").clusterIPs("10.0.0.10").build()));
        allocator(config(dir), 1).reconcile(List.of(service("other").build()));
        Allocations a = allocator(config(dir), 1).reconcile(List.of(service("other").build(),
                service("new").clusterIPs("10.0.0.10").build()));
        assertEquals("10.0.0.10", ip(a, "new"));
    }

    @Test
    void firstSeenOrderSurvivesARestart() {
        // Same first-seen clock for both: only the persisted sequence can tell who came first.
        allocator(config(dir), 1).reconcile(List.of(service("first").build()));
        allocator(config(dir), 1).reconcile(List.of(service("first").build(), service("second").build()));
        Allocations a = allocator(config(dir), 1).reconcile(List.of(
                service("second").clusterIPs("10.0.0.20").build(),
                service("first").clusterIPs("10.0.0.20").build()));
        assertEquals("10.0.0.20", ip(a, "first"));
        assertTrue(errors(a, "second").get(0).endsWith("provided IP is already allocated"));
    }

    @Test
    void aCorruptStateFileIsKeptAsideAndTheAllocatorStartsEmpty() throws IOException {
        Files.writeString(dir.resolve("allocations.json"), "{\"version\": 1, \"services\": {\"default/x\": [");
        ServiceAllocator alloc = allocator(config(dir), 1);
        assertEquals("{\"version\": 1, \"services\": {\"default/x\": [",
                Files.readString(dir.resolve("allocations.json.corrupt"), StandardCharsets.UTF_8));
        Allocations a = alloc.reconcile(List.of(service("web").clusterIPs("10.0.0.10").build()));
        assertEquals("10.0.0.10", ip(a, "web"));
        assertEquals(List.of("allocations.json", "allocations.json.corrupt", "allocations.json.journal",
                "allocations.json.prev"), files());
        // The new file is good: the next instance reads it without complaint (and keeps it back).
        allocator(config(dir), 2).reconcile(List.of());
        assertEquals(List.of("allocations.json", "allocations.json.corrupt", "allocations.json.journal",
                "allocations.json.journal.prev", "allocations.json.prev"), files());
    }

    @Test
    void anUnknownVersionOrNonsenseIsTreatedAsCorrupt() throws IOException {
        Files.writeString(dir.resolve("allocations.json"), "{\"version\": 7, \"nextSequence\": 3, \"services\": {}}");
        allocator(config(dir), 1);
        assertTrue(Files.exists(dir.resolve("allocations.json.corrupt")));
        Files.writeString(dir.resolve("allocations.json"), "[1, 2, 3]");
        allocator(config(dir), 1);
        assertEquals("[1, 2, 3]", Files.readString(dir.resolve("allocations.json.corrupt")));
        Files.writeString(dir.resolve("allocations.json"),
                "{\"version\": 1, \"nextSequence\": 3, \"services\": {\"default/a\": {\"sequence\": 1,"
                        + " \"nodePorts\": [{\"port\": 80, \"nodePort\": 30080}]}}}");
        allocator(config(dir), 1).reconcile(List.of(service("a").build()));
        assertTrue(Files.readString(dir.resolve("allocations.json.corrupt")).contains("30080"));
        Files.writeString(dir.resolve("allocations.json"), "{\"version\": 1, \"nextSequence\": 3, \"services\": {\"default/a\": null}}");
        allocator(config(dir), 1).reconcile(List.of(service("a").build()));
        assertTrue(Files.readString(dir.resolve("allocations.json.corrupt")).contains("null"));
    }

    @Test
    void writesAreAtomicAndLeaveNoTempFiles() throws IOException {
        Files.writeString(dir.resolve(".allocations-123.tmp"), "half a write from a crash");
        ServiceAllocator alloc = allocator(config(dir), 1);
        assertEquals(List.of(), files(), "stale temp files are cleaned on load");
        List<Service> services = new ArrayList<>(cluster());
        Allocations last = null;
        for (int i = 0; i < 20; i++) {
            services.add(service("extra" + i).build());
            last = alloc.reconcile(services);
            // The first change writes the file (and a copy kept back); the others are journal lines.
            assertEquals(List.of("allocations.json", "allocations.json.journal", "allocations.json.prev"), files());
        }
        Allocations reloaded = allocator(config(dir), 99).reconcile(services);
        for (Service s : services) {
            assertEquals(ip(last, s.metadata().name()), ip(reloaded, s.metadata().name()), "from file and journal");
        }
    }

    @Test
    void nothingIsWrittenWhenNothingChanged() throws IOException {
        ServiceAllocator alloc = allocator(config(dir), 1);
        alloc.reconcile(cluster());
        alloc.reconcile(cluster().subList(0, cluster().size() - 1));
        Path journal = dir.resolve("allocations.json.journal");
        long size = Files.size(journal);
        alloc.reconcile(reversed(cluster().subList(0, cluster().size() - 1)));
        assertEquals(size, Files.size(journal), "an unchanged state is not written");
        alloc.reconcile(cluster().subList(1, cluster().size() - 1));
        assertTrue(Files.size(journal) > size, "a change is written");
    }

    @Test
    void aMissingStateDirIsCreatedAndAnUnwritableOneDoesNotBreakAllocation() throws IOException {
        Path nested = dir.resolve("a/b/state");
        allocator(config(nested), 1).reconcile(List.of(service("web").build()));
        assertTrue(Files.exists(nested.resolve("allocations.json")));

        Path notADir = dir.resolve("plain-file");
        Files.writeString(notADir, "x");
        ServiceAllocator alloc = allocator(config(notADir), 1);
        Allocations a = alloc.reconcile(List.of(service("web").build()));
        assertEquals(1, a.services().size());
        assertEquals("x", Files.readString(notADir));
    }

    @Test
    void aChangedRangeReallocatesWhatNoLongerFits() {
        Allocations before = allocator(config(dir), 1).reconcile(List.of(service("web").build(), service("np")
                .type(Service.TYPE_NODE_PORT).port("TCP", 80).build()));
        AgentConfig moved = ServiceFixture.config(List.of("10.1.0.0/24"), "30000-32767", "192.0.2.0/24", dir);
        Allocations after = allocator(moved, 2).reconcile(List.of(service("web").build(), service("np")
                .type(Service.TYPE_NODE_PORT).port("TCP", 80).build()));
        assertTrue(ip(after, "web").startsWith("10.1.0."), ip(after, "web"));
        assertEquals(find(before, "np").spec().ports(), find(after, "np").spec().ports(), "nodePorts still fit and stay");
    }
}
