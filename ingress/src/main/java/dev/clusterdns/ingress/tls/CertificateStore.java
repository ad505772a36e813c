package dev.clusterdns.ingress.tls;

import dev.clusterdns.agent.model.Secret;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.ingress.route.RouteTable;
import dev.clusterdns.ingress.route.TlsHost;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * Builds {@link Certificates} from the `kubernetes.io/tls` Secrets the served Ingresses name.
 * Contexts are kept while a Secret's data is unchanged, so a snapshot that touches nothing TLS does
 * not rebuild them. A Secret that is missing or unusable leaves its hosts on the default certificate
 * and is reported once per change. Used from one thread.
 */
public final class CertificateStore {
    private final Supplier<SslContext> fallback;
    private final Map<String, SslContext> cache = new HashMap<>();
    private final Map<String, String> reported = new HashMap<>();

    /** @param fallback the generated default certificate (made when first asked for) */
    public CertificateStore(Supplier<SslContext> fallback) {
        this.fallback = fallback;
    }

    public static SslContext context(SelfSignedCertificate c) throws SSLException {
        return configure(SslContextBuilder.forServer(c.key(), c.certificate()));
    }

    /** A server context from PEM text (`tls.crt`, `tls.key`), offering h2 and http/1.1 by ALPN. */
    public static SslContext context(String certPem, String keyPem) throws SSLException {
        try {
            return configure(SslContextBuilder.forServer(
                    new ByteArrayInputStream(certPem.getBytes(StandardCharsets.US_ASCII)),
                    new ByteArrayInputStream(keyPem.getBytes(StandardCharsets.US_ASCII))));
        } catch (IllegalArgumentException e) {
            throw new SSLException(e.getMessage(), e);
        }
    }

    private static SslContext configure(SslContextBuilder b) throws SSLException {
        return b.sslProvider(OpenSsl.isAvailable() && SslProvider.isAlpnSupported(SslProvider.OPENSSL)
                        ? SslProvider.OPENSSL : SslProvider.JDK)
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                        ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1))
                .build();
    }

    public Supplier<SslContext> fallback() {
        return fallback;
    }

    /** New certificates for this table; problems (missing Secret, bad PEM) are added to {@code problems}. */
    /**
     * @param defaultSecret `namespace/name` of the Secret given with `--ingress-default-certificate`,
     *     or null for the generated certificate
     */
    public Certificates update(ClusterSnapshot snapshot, RouteTable table, String defaultSecret, List<String> problems) {
        Map<String, SslContext> byHost = new LinkedHashMap<>();
        Map<String, SslContext> used = new HashMap<>();
        List<String> newProblems = new ArrayList<>();
        Supplier<SslContext> fallbackNow = fallback;
        if (defaultSecret != null) {
            int slash = defaultSecret.indexOf('/');
            String ns = slash < 0 ? "default" : defaultSecret.substring(0, slash);
            String name = defaultSecret.substring(slash + 1);
            SslContext c = load(snapshot, ns, name, used, newProblems, "--ingress-default-certificate");
            if (c != null) {
                fallbackNow = () -> c;
            }
        }
        for (TlsHost t : table.tlsHosts()) {
            if (byHost.containsKey(t.host()) || t.secretName() == null) {
                continue; // the oldest Ingress keeps a host; no Secret means the default certificate
            }
            SslContext ctx = load(snapshot, t.namespace(), t.secretName(), used, newProblems,
                    "Ingress " + t.namespace() + "/" + t.ingress() + ", host " + t.host());
            if (ctx != null) {
                byHost.put(t.host(), ctx);
            }
        }
        cache.keySet().retainAll(used.keySet());
        cache.putAll(used);
        for (String p : newProblems) {
            if (reported.put(p, p) == null) {
                problems.add(p);
            }
        }
        reported.keySet().retainAll(newProblems);
        return new Certificates(byHost, fallbackNow);
    }

    private SslContext load(ClusterSnapshot snapshot, String ns, String name, Map<String, SslContext> used,
                            List<String> problems, String usedBy) {
        String key = ns + "/" + name;
        Secret secret = snapshot.secret(ns, name).orElse(null);
        if (secret == null) {
            problems.add("secret " + key + " not found (" + usedBy + "); the default certificate is served");
            return null;
        }
        try {
            Map<String, String> data = secret.decoded();
            String crt = data.get("tls.crt");
            String pem = data.get("tls.key");
            if (crt == null || pem == null) {
                throw new SSLException("it has no tls.crt and tls.key");
            }
            String cacheKey = key + "|" + crt.hashCode() + "|" + pem.hashCode();
            SslContext ctx = used.get(cacheKey);
            if (ctx == null) {
                ctx = cache.get(cacheKey);
            }
            if (ctx == null) {
                ctx = context(crt, pem);
            }
            used.put(cacheKey, ctx);
            return ctx;
        } catch (SSLException | IllegalArgumentException e) {
            problems.add("secret " + key + ": " + e.getMessage() + " (" + usedBy + "); the default certificate is served");
            return null;
        }
    }
}
