package dev.clusterdns.cli.http;

import io.netty.channel.Channel;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open HTTP connections, at most {@code max}. When full, a new connection pushes out the one that
 * has waited longest for a request (a slow or idle client) rather than being refused, so a client that
 * sends its request at once (a liveness probe) is always served; when every connection is busy
 * answering, the newcomer is closed instead.
 */
final class ConnectionTable {
    private final int max;
    private final Map<Channel, Boolean> open = new ConcurrentHashMap<>();

    ConnectionTable(int max) {
        this.max = max;
    }

    void admit(Channel ch) {
        synchronized (this) {
            if (open.size() >= max) {
                Channel victim = oldestWaiting();
                if (victim == null) {
                    ch.close();
                    return;
                }
                open.remove(victim);
                victim.close();
            }
            open.put(ch, Boolean.TRUE);
        }
        ch.closeFuture().addListener(f -> open.remove(ch));
    }

    private Channel oldestWaiting() {
        Channel oldest = null;
        long oldestSince = Long.MAX_VALUE;
        for (Channel c : open.keySet()) {
            Long since = c.attr(HttpEndpoint.AWAITING_SINCE).get();
            if (since != null && since < oldestSince) {
                oldest = c;
                oldestSince = since;
            }
        }
        return oldest;
    }

    int size() {
        return open.size();
    }

    void closeAll() {
        open.keySet().forEach(Channel::close);
    }
}
