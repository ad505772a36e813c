package dev.clusterdns.dns.pipeline;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.xbill.DNS.Rcode;

/** An ordered chain of stages; the end of the chain answers REFUSED (no zone, no upstream). */
public final class Pipeline {
    private final Next head;
    private final List<Stage> stages;

    public Pipeline(List<Stage> stages) {
        this.stages = List.copyOf(stages);
        Next next = q -> CompletableFuture.completedFuture(Reply.error(q, Rcode.REFUSED));
        for (int i = this.stages.size() - 1; i >= 0; i--) {
            Stage stage = this.stages.get(i);
            Next after = next;
            next = q -> stage.serve(q, after);
        }
        this.head = next;
    }

    public CompletionStage<Reply> serve(Query query) {
        return head.serve(query);
    }

    public List<Stage> stages() {
        return stages;
    }
}
