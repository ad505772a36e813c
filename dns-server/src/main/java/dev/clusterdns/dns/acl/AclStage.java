package dev.clusterdns.dns.acl;

import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.dns.pipeline.Next;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import dev.clusterdns.dns.pipeline.Stage;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.xbill.DNS.Rcode;

/**
 * Recursion (cache and forwarding) only for `--allow-recursion` clients: everything that reaches
 * this stage was not answered by an authority, so other clients get REFUSED and the server is never
 * an open resolver, not even for cached answers.
 */
public final class AclStage implements Stage {
    private final List<Cidr> allowed;

    public AclStage(List<Cidr> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    @Override
    public String name() {
        return "acl";
    }

    @Override
    public CompletionStage<Reply> serve(Query query, Next next) {
        if (allowed(query)) {
            return next.serve(query);
        }
        return CompletableFuture.completedFuture(Reply.error(query, Rcode.REFUSED));
    }

    boolean allowed(Query query) {
        return Cidr.anyContains(allowed, query.client() == null ? null : query.client().getAddress());
    }
}
