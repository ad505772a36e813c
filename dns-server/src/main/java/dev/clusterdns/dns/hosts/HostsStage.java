package dev.clusterdns.dns.hosts;

import dev.clusterdns.dns.pipeline.Next;
import dev.clusterdns.dns.pipeline.Query;
import dev.clusterdns.dns.pipeline.Reply;
import dev.clusterdns.dns.pipeline.Stage;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Answers names listed in a hosts file (CoreDNS `hosts` with `fallthrough`): A/AAAA for listed
 * names, PTR for their addresses, NODATA for other types of a listed name; unlisted names go on.
 * The file is re-read when its modification time changes, checked every second on the stage's own
 * thread (never on the event loop that serves queries); a file that no longer parses keeps the last
 * good content and the reason is logged.
 */
public final class HostsStage implements Stage, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HostsStage.class);
    /** CoreDNS hosts default TTL. */
    static final long TTL = 3600;
    private static final long CHECK_MILLIS = 1000;

    private final Path file;
    private volatile HostsFile hosts = HostsFile.EMPTY;
    private long modified = Long.MIN_VALUE;
    private ScheduledExecutorService watcher;

    /** Reads the file now; later changes only through {@link #reload()}. */
    public HostsStage(Path file) {
        this.file = file;
        reload();
    }

    /** Reads the file now and re-checks it every second on a daemon thread until closed. */
    public static HostsStage watching(Path file) {
        HostsStage stage = new HostsStage(file);
        stage.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hosts-reload");
            t.setDaemon(true);
            return t;
        });
        stage.watcher.scheduleWithFixedDelay(stage::reload, CHECK_MILLIS, CHECK_MILLIS, TimeUnit.MILLISECONDS);
        return stage;
    }

    @Override
    public synchronized void close() {
        if (watcher != null) {
            watcher.shutdownNow();
            watcher = null;
        }
    }

    @Override
    public String name() {
        return "hosts";
    }

    /** Re-reads the file if it changed; returns the content now served. */
    public synchronized HostsFile reload() {
        try {
            long m = Files.getLastModifiedTime(file).toMillis();
            if (m != modified) {
                hosts = HostsFile.read(file);
                modified = m;
                LOG.info("loaded hosts file {} ({} names)", file, hosts.forward().size());
            }
        } catch (IOException | RuntimeException e) {
            LOG.error("hosts file {} not loaded: {}; still serving the last good content", file, e.getMessage());
            try {
                modified = Files.getLastModifiedTime(file).toMillis();
            } catch (IOException ignored) {
                // missing file: try again next time
            }
        }
        return hosts;
    }

    @Override
    public CompletionStage<Reply> serve(Query query, Next next) {
        if (query.name() == null || query.opcode() != Opcode.QUERY) {
            return next.serve(query);
        }
        HostsFile h = hosts;
        Name name = query.name();
        List<InetAddress> addrs = h.forward().get(name);
        List<Name> ptrs = addrs == null ? h.reverse().get(name) : null;
        if (addrs == null && ptrs == null) {
            return next.serve(query);
        }
        Message m = new Message(query.id());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.AA);
        m.addRecord(query.message().getQuestion(), Section.QUESTION);
        int type = query.type();
        if (addrs != null) {
            for (InetAddress a : addrs) {
                if (a instanceof Inet4Address && (type == Type.A || type == Type.ANY)) {
                    m.addRecord(new ARecord(name, DClass.IN, TTL, a), Section.ANSWER);
                } else if (a instanceof Inet6Address && (type == Type.AAAA || type == Type.ANY)) {
                    m.addRecord(new AAAARecord(name, DClass.IN, TTL, a), Section.ANSWER);
                }
            }
        } else if (type == Type.PTR || type == Type.ANY) {
            for (Name target : ptrs) {
                m.addRecord(new PTRRecord(name, DClass.IN, TTL, target), Section.ANSWER);
            }
        }
        return CompletableFuture.completedFuture(Reply.of(m));
    }
}
