package dev.clusterdns.dns.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** StageOrder decides where each stage runs; the pipeline closes what its stages hold. */
class PipelineTest {

    /** A setup whose stage answers nothing itself and records its name and its closing. */
    private record Recording(String name, List<String> log, boolean fails, boolean absent) implements StageSetup {
        @Override
        public Optional<SetupResult> setup(SetupContext context) {
            if (fails) {
                throw new IllegalArgumentException("--" + name + ": bad value");
            }
            if (absent) {
                return Optional.empty();
            }
            log.add("setup " + name);
            Stage stage = new Stage() {
                @Override
                public String name() {
                    return name;
                }

                @Override
                public java.util.concurrent.CompletionStage<Reply> serve(Query query, Next next) {
                    log.add("serve " + name);
                    return next.serve(query);
                }
            };
            return Optional.of(new SetupResult(stage, () -> log.add("close " + name)));
        }
    }

    @Test
    void setupsRunInStageOrderWhateverTheOrderGiven() throws Exception {
        List<String> log = new ArrayList<>();
        List<StageSetup> given = List.of(new Recording("forward", log, false, false), new Recording("cluster", log, false, false),
                new Recording("hosts", log, false, true), new Recording("loadbalance", log, false, false));
        try (Pipeline p = Pipeline.assemble(given, new SetupContext(null, "cluster.local", null))) {
            assertEquals(List.of("loadbalance", "cluster", "forward"), p.names(), "hosts left itself out");
            org.xbill.DNS.Message m = org.xbill.DNS.Message.newQuery(org.xbill.DNS.Record.newRecord(
                    org.xbill.DNS.Name.fromString("a.example."), org.xbill.DNS.Type.A, org.xbill.DNS.DClass.IN));
            Reply r = p.serve(Query.of(m, null, QueryProtocol.UDP)).toCompletableFuture().get();
            assertEquals(org.xbill.DNS.Rcode.REFUSED, r.rcode(), "the end of the chain refuses");
        }
        assertEquals(List.of("setup loadbalance", "setup cluster", "setup forward",
                "serve loadbalance", "serve cluster", "serve forward",
                "close forward", "close cluster", "close loadbalance"), log);
    }

    @Test
    void aFailingSetupClosesWhatWasStartedAndNamesTheFlag() {
        List<String> log = new ArrayList<>();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Pipeline.assemble(
                List.of(new Recording("cache", log, true, false), new Recording("transfer", log, false, false),
                        new Recording("file", log, false, false)), new SetupContext(null, "cluster.local", null)));
        assertEquals("--cache: bad value", e.getMessage());
        assertEquals(List.of("setup transfer", "setup file", "close file", "close transfer"), log);
    }

    @Test
    void unknownOrDuplicateStagesAreRefused() {
        List<String> log = new ArrayList<>();
        SetupContext ctx = new SetupContext(null, "cluster.local", null);
        assertThrows(IllegalArgumentException.class,
                () -> Pipeline.assemble(List.of(new Recording("rewrite", log, false, false)), ctx));
        assertThrows(IllegalArgumentException.class, () -> Pipeline.assemble(
                List.of(new Recording("cache", log, false, false), new Recording("cache", log, false, false)), ctx));
        assertEquals(List.of(), log, "nothing was started");
    }
}
