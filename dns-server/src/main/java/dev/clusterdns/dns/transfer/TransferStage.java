package dev.clusterdns.dns.transfer;

import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.dns.pipeline.Next;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import dev.clusterdns.dns.pipeline.Stage;
import dev.clusterdns.dns.pipeline.QueryProtocol;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * Zone transfer access control, first in the pipeline: AXFR/IXFR only over TCP and only from the
 * `--transfer-to` prefixes (CoreDNS `transfer { to ... }`); everything else gets REFUSED. Allowed
 * transfers go on to the stage that owns the zone (cluster zone or a zone file).
 */
public final class TransferStage implements Stage {
    private final List<Cidr> allowed;

    public TransferStage(List<Cidr> allowed) {
        this.allowed = List.copyOf(allowed);
    }

    @Override
    public String name() {
        return "transfer";
    }

    @Override
    public CompletionStage<Reply> serve(Query query, Next next) {
        int type = query.type();
        if (type != Type.AXFR && type != Type.IXFR) {
            return next.serve(query);
        }
        if (query.protocol() != QueryProtocol.TCP || !allowed(query)) {
            return CompletableFuture.completedFuture(Reply.error(query, Rcode.REFUSED));
        }
        return next.serve(query);
    }

    @Override
    public boolean passesOn(Query query) {
        return query.type() != Type.AXFR && query.type() != Type.IXFR;
    }

    private boolean allowed(Query query) {
        return Cidr.anyContains(allowed, query.client() == null ? null : query.client().getAddress());
    }
}
