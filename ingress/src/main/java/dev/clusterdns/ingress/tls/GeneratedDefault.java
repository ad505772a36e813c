package dev.clusterdns.ingress.tls;

import io.netty.handler.ssl.SslContext;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * The generated default certificate's context, made on first use: a cluster whose TLS hosts all have
 * Secrets (or that serves no TLS) never needs it, and start-up skips the key generation and the
 * X.509 builder's classes (about 700 of them, several MB of metaspace).
 */
public final class GeneratedDefault implements Supplier<SslContext> {
    private volatile SslContext context;

    @Override
    public SslContext get() {
        SslContext c = context;
        if (c == null) {
            synchronized (this) {
                c = context;
                if (c == null) {
                    try {
                        c = CertificateStore.context(SelfSignedCertificate.generate());
                    } catch (SSLException e) {
                        throw new IllegalStateException("cannot make the default TLS certificate: " + e.getMessage(), e);
                    }
                    context = c;
                }
            }
        }
        return c;
    }
}
