package dev.clusterdns.dns.pipeline;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Rcode;

/**
 * An ordered chain of stages; the end of the chain answers REFUSED (no zone, no upstream). Built by
 * {@link #assemble} it owns its stages' resources and closes them, last stage first.
 */
public final class Pipeline implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    private final Next head;
    private final List<Stage> stages;
    private final List<AutoCloseable> resources;

    /** A pipeline of ready-made stages; closing it closes nothing (the caller owns them). */
    public Pipeline(List<Stage> stages) {
        this(stages, List.of());
    }

    private Pipeline(List<Stage> stages, List<AutoCloseable> resources) {
        this.stages = List.copyOf(stages);
        this.resources = List.copyOf(resources);
        Next next = q -> {
            Reply refused = Reply.error(q, Rcode.REFUSED);
            refused.writtenBy(""); // no stage made it: the stages it passes back through must not claim it
            return CompletableFuture.completedFuture(refused);
        };
        for (int i = this.stages.size() - 1; i >= 0; i--) {
            Stage stage = this.stages.get(i);
            Next after = next;
            String name = stage.name();
            next = q -> written(stage.serve(q, after), name);
        }
        this.head = next;
    }

    /**
     * Runs each setup in {@link StageOrder} (whatever order they are given in) and chains the stages
     * it yields. If one setup fails, what the earlier ones started is closed and the error is thrown.
     */
    public static Pipeline assemble(List<StageSetup> setups, SetupContext context) throws Exception {
        List<StageSetup> ordered = new ArrayList<>(setups);
        for (StageSetup setup : ordered) {
            StageOrder.position(setup.name()); // an unknown name fails here, even alone
        }
        ordered.sort(Comparator.comparingInt(s -> StageOrder.position(s.name())));
        for (int i = 1; i < ordered.size(); i++) {
            if (ordered.get(i).name().equals(ordered.get(i - 1).name())) {
                throw new IllegalArgumentException("DNS stage '" + ordered.get(i).name() + "' set up twice");
            }
        }
        List<Stage> stages = new ArrayList<>();
        List<AutoCloseable> resources = new ArrayList<>();
        try {
            for (StageSetup setup : ordered) {
                Optional<SetupResult> result = setup.setup(context);
                if (result.isPresent()) {
                    stages.add(result.get().stage());
                    resources.add(result.get().resources());
                }
            }
        } catch (Exception | Error e) {
            closeAll(resources);
            throw e;
        }
        return new Pipeline(stages, resources);
    }

    /**
     * Tags the reply a stage returns with the stage's name, unless a later stage made it (the same
     * object passed on). A reply already there is tagged in place, without a callback.
     */
    private static CompletionStage<Reply> written(CompletionStage<Reply> pending, String stage) {
        if (pending instanceof CompletableFuture<Reply> f && f.isDone()) {
            if (!f.isCompletedExceptionally()) {
                Reply reply = f.getNow(null);
                if (reply != null) {
                    reply.writtenBy(stage);
                }
            }
            return pending;
        }
        return pending.thenApply(reply -> {
            if (reply != null) {
                reply.writtenBy(stage);
            }
            return reply;
        });
    }

    public CompletionStage<Reply> serve(Query query) {
        return head.serve(query);
    }

    /**
     * The reply {@link #serve} would give, when a stage can give it at once and every stage before
     * it passes the query on unchanged; null otherwise (then call {@link #serve}). The common query
     * (a cluster-zone name) costs no future and no call through the chain. The reply is tagged with
     * the stage that gave it, as {@link #serve} tags it.
     */
    public Reply answerNow(Query query) {
        for (int i = 0; i < stages.size(); i++) {
            Stage stage = stages.get(i);
            Reply reply = stage.answerNow(query);
            if (reply != null) {
                reply.writtenBy(stage.name());
                return reply;
            }
            if (!stage.passesOn(query)) {
                return null;
            }
        }
        return null;
    }

    public List<Stage> stages() {
        return stages;
    }

    /** Stage names in order, for the start-up log line. */
    public List<String> names() {
        return stages.stream().map(Stage::name).toList();
    }

    /** Closes what the stages hold (threads, event loops, subscriptions), last stage first. */
    @Override
    public void close() {
        closeAll(resources);
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warn("closing a DNS stage failed: {}", e.toString());
            }
        }
    }
}
