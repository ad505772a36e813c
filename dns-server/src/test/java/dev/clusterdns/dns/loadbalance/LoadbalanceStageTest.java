package dev.clusterdns.dns.loadbalance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

class LoadbalanceStageTest {
    @Test
    void shufflesAddressesAndKeepsTheCnameFirst() throws Exception {
        Name www = Name.fromString("www.example.");
        Name web = Name.fromString("web.example.");
        Set<String> firsts = new HashSet<>();
        for (int round = 0; round < 200; round++) {
            Message m = new Message();
            m.addRecord(new CNAMERecord(www, DClass.IN, 60, web), Section.ANSWER);
            for (int i = 1; i <= 4; i++) {
                m.addRecord(new ARecord(web, DClass.IN, 60, InetAddress.getByName("192.0.2." + i)), Section.ANSWER);
            }
            LoadbalanceStage.shuffle(m);
            List<Record> answer = m.getSection(Section.ANSWER);
            assertEquals(Type.CNAME, answer.get(0).getType());
            assertEquals(5, answer.size());
            assertEquals(4, new HashSet<>(answer.subList(1, 5)).size(), "same records, no duplicates");
            firsts.add(((ARecord) answer.get(1)).getAddress().getHostAddress());
        }
        assertTrue(firsts.size() > 1, "different first addresses over many answers: " + firsts);
    }
}
