package dev.clusterdns.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/** A raw DNS client over real sockets, so tests see exactly what the server writes. */
public final class DnsClient {
    private final InetSocketAddress server;

    public DnsClient(InetSocketAddress server) {
        this.server = server;
    }

    public static Message query(String name, int type) {
        try {
            Message m = Message.newQuery(Record.newRecord(Name.fromString(name), type, DClass.IN));
            return m;
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static Message edns(Message m, int payload) {
        m.addRecord(new OPTRecord(payload, 0, 0, 0), Section.ADDITIONAL);
        return m;
    }

    public Message udp(Message query) throws IOException {
        return new Message(udpRaw(query.toWire()));
    }

    public Message udp(String name, int type) throws IOException {
        return udp(query(name, type));
    }

    public byte[] udpRaw(byte[] wire) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(3000);
            s.send(new DatagramPacket(wire, wire.length, server));
            byte[] buf = new byte[65535];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            s.receive(p);
            byte[] out = new byte[p.getLength()];
            System.arraycopy(buf, 0, out, 0, out.length);
            return out;
        }
    }

    public Message tcp(Message query) throws IOException {
        return tcpStream(query, 1).get(0);
    }

    /** AXFR: every answer record of every message until the closing SOA. */
    public List<Record> transfer(Message query) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(server, 3000);
            s.setSoTimeout(3000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            byte[] w = query.toWire();
            out.writeShort(w.length);
            out.write(w);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            List<Record> records = new ArrayList<>();
            int soas = 0;
            while (soas < 2) {
                byte[] r = new byte[in.readUnsignedShort()];
                in.readFully(r);
                for (Record rec : new Message(r).getSection(Section.ANSWER)) {
                    records.add(rec);
                    soas += rec instanceof org.xbill.DNS.SOARecord ? 1 : 0;
                }
            }
            return records;
        }
    }

    /** Sends one query and reads {@code count} reply messages on one connection. */
    public List<Message> tcpStream(Message query, int count) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(server, 3000);
            s.setSoTimeout(3000);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            byte[] w = query.toWire();
            out.writeShort(w.length);
            out.write(w);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            List<Message> replies = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                byte[] r = new byte[in.readUnsignedShort()];
                in.readFully(r);
                replies.add(new Message(r));
            }
            return replies;
        }
    }
}
