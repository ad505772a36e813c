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

    /** A stage named {@code name} that answers with {@code answer}, or passes the query on when it gives null. */
    private static Stage stage(String name, java.util.function.BiFunction<Query, Next, java.util.concurrent.CompletionStage<Reply>> answer) {
        return new Stage() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public java.util.concurrent.CompletionStage<Reply> serve(Query query, Next next) {
                return answer.apply(query, next);
            }
        };
    }

    private static Query query(String name) throws Exception {
        return Query.of(org.xbill.DNS.Message.newQuery(org.xbill.DNS.Record.newRecord(
                org.xbill.DNS.Name.fromString(name), org.xbill.DNS.Type.A, org.xbill.DNS.DClass.IN)), null, QueryProtocol.UDP);
    }

    /** CoreDNS's `plugin` label: the stage that made the reply object, whether it answered at once or later. */
    @Test
    void repliesNameTheStageThatMadeThem() throws Exception {
        List<java.util.concurrent.CompletableFuture<Reply>> later = new ArrayList<>();
        Stage shuffle = stage("loadbalance", (q, next) -> q.name().toString().startsWith("shuffled.")
                ? next.serve(q).thenApply(r -> Reply.of(r.message().clone())) : next.serve(q));
        Stage cache = stage("cache", (q, next) -> q.name().toString().startsWith("hit.")
                ? java.util.concurrent.CompletableFuture.completedFuture(Reply.error(q, org.xbill.DNS.Rcode.NOERROR))
                : next.serve(q));
        Stage forward = stage("forward", (q, next) -> {
            if (q.name().toString().startsWith("refused.")) {
                return next.serve(q);
            }
            var f = new java.util.concurrent.CompletableFuture<Reply>();
            later.add(f);
            return f.thenApply(r -> r); // as an upstream exchange: completed after serve returned
        });
        Pipeline p = new Pipeline(List.of(shuffle, cache, forward));

        var hit = p.serve(query("hit.example."));
        assertEquals("cache", hit.toCompletableFuture().getNow(null).plugin(), "answered at once by cache");

        var forwarded = p.serve(query("a.example."));
        var shuffled = p.serve(query("shuffled.example."));
        assertEquals(2, later.size());
        later.get(0).complete(Reply.error(query("a.example."), org.xbill.DNS.Rcode.NXDOMAIN));
        later.get(1).complete(Reply.error(query("shuffled.example."), org.xbill.DNS.Rcode.NOERROR));
        assertEquals("forward", forwarded.toCompletableFuture().get().plugin(), "cache passed forward's reply on unchanged");
        assertEquals("loadbalance", shuffled.toCompletableFuture().get().plugin(), "a new reply is its maker's");

        Reply refused = p.serve(query("refused.example.")).toCompletableFuture().get();
        assertEquals(org.xbill.DNS.Rcode.REFUSED, refused.rcode());
        assertEquals("", refused.plugin(), "no stage made the end of the chain's REFUSED");
    }

    /**
     * A stage that answers at once is reached without the chain only past stages that pass the query
     * on unchanged; a stage that may act on the query (it does not say it passes) stops the shortcut.
     */
    @Test
    void answerNowSkipsOnlyStagesThatPassTheQueryOn() throws Exception {
        List<String> served = new ArrayList<>();
        class Authority implements Stage {
            @Override
            public String name() {
                return "cluster";
            }

            @Override
            public java.util.concurrent.CompletionStage<Reply> serve(Query query, Next next) {
                served.add("cluster");
                Reply now = answerNow(query);
                return now != null ? java.util.concurrent.CompletableFuture.completedFuture(now) : next.serve(query);
            }

            @Override
            public Reply answerNow(Query query) {
                return query.name().toString().startsWith("known.") ? Reply.error(query, org.xbill.DNS.Rcode.NOERROR) : null;
            }
        }
        class Gate implements Stage {
            private final String name;
            private final boolean passes;

            Gate(String name, boolean passes) {
                this.name = name;
                this.passes = passes;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public java.util.concurrent.CompletionStage<Reply> serve(Query query, Next next) {
                served.add(name);
                return next.serve(query);
            }

            @Override
            public boolean passesOn(Query query) {
                return passes;
            }
        }
        Pipeline direct = new Pipeline(List.of(new Gate("transfer", true), new Authority()));
        Reply now = direct.answerNow(query("known.example."));
        assertEquals("cluster", now.plugin());
        assertEquals(org.xbill.DNS.Rcode.NOERROR, now.rcode());
        assertEquals(null, direct.answerNow(query("other.example.")), "the authority does not know it: the chain decides");
        assertEquals(List.of(), served, "no stage's serve ran");

        Pipeline gated = new Pipeline(List.of(new Gate("loadbalance", false), new Authority()));
        assertEquals(null, gated.answerNow(query("known.example.")), "loadbalance may change the answer");
        assertEquals("cluster", gated.serve(query("known.example.")).toCompletableFuture().get().plugin());
        assertEquals(List.of("loadbalance", "cluster"), served);
    }
}
