package dev.clusterdns.proxy;

import dev.clusterdns.proxy.table.ListenKey;
import java.time.Instant;

/**
 * A socket the snapshot calls for that is not bound: kept (and retried with backoff) until it
 * binds or the snapshot no longer needs it.
 *
 * @param key the socket
 * @param servicePort the Service port it serves, `namespace/name:port`
 * @param reason the last error, with the likely fix
 * @param since the first failed attempt
 * @param attempts failed attempts so far
 * @param nextAttempt when the next attempt is due
 */
public record BindFailure(ListenKey key, String servicePort, String reason, Instant since, int attempts,
        Instant nextAttempt) {
    @Override
    public String toString() {
        return "cannot listen on " + key + " for " + servicePort + ": " + reason + " (" + attempts
                + (attempts == 1 ? " attempt" : " attempts") + " since " + since + "; next at " + nextAttempt + ")";
    }
}
