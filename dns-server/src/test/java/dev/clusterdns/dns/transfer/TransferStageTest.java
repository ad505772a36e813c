package dev.clusterdns.dns.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.clusterdns.agent.net.Cidr;
import dev.clusterdns.dns.pipeline.Next;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import dev.clusterdns.dns.pipeline.QueryProtocol;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

class TransferStageTest {
    final TransferStage gate = new TransferStage(List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128")));
    final Next ok = q -> CompletableFuture.completedFuture(Reply.error(q, Rcode.NOERROR));

    int rcode(int type, String client, QueryProtocol transport) throws Exception {
        Query q = Query.of(Message.newQuery(Record.newRecord(Name.fromString("example.net."), type, DClass.IN)),
                new InetSocketAddress(client, 4000), transport);
        return gate.serve(q, ok).toCompletableFuture().get().rcode();
    }

    @Test
    void transfersOnlyOverTcpFromAllowedClients() throws Exception {
        assertEquals(Rcode.NOERROR, rcode(Type.AXFR, "127.0.0.1", QueryProtocol.TCP));
        assertEquals(Rcode.NOERROR, rcode(Type.IXFR, "::1", QueryProtocol.TCP));
        assertEquals(Rcode.REFUSED, rcode(Type.AXFR, "127.0.0.1", QueryProtocol.UDP));
        assertEquals(Rcode.REFUSED, rcode(Type.AXFR, "192.0.2.1", QueryProtocol.TCP));
        assertEquals(Rcode.REFUSED, rcode(Type.IXFR, "192.0.2.1", QueryProtocol.TCP));
        assertEquals(Rcode.NOERROR, rcode(Type.A, "192.0.2.1", QueryProtocol.UDP), "ordinary queries pass");
    }
}
