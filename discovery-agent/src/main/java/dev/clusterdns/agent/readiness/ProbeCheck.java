package dev.clusterdns.agent.readiness;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * One probe attempt, as the kubelet's prober makes it: TCP succeeds when the connection opens;
 * HTTP when the response status is 2xx or 3xx (redirects are not followed), within the timeout.
 */
final class ProbeCheck {
    /** What the kubelet sends, so a backend can tell probes from users. */
    static final String USER_AGENT = "kube-probe/1.31";

    // Made by the first HTTP(S) probe: building a client sets up the JDK's TLS (the default context
    // parses the CA store) and starts a selector thread, ~0.5 s of CPU at every start (JFR) that a
    // cluster without HTTP probes never needs.
    private HttpClient http; // guarded by this
    private HttpClient https; // guarded by this

    private synchronized HttpClient client(boolean tls) {
        if (tls) {
            if (https == null) {
                https = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                        .version(HttpClient.Version.HTTP_1_1).sslContext(trustAll()).build();
            }
            return https;
        }
        if (http == null) {
            http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                    .version(HttpClient.Version.HTTP_1_1).build();
        }
        return http;
    }

    /** The kubelet probes HTTPS without verifying the certificate (a pod's is rarely valid for its IP). */
    private static javax.net.ssl.SSLContext trustAll() {
        javax.net.ssl.X509TrustManager any = new javax.net.ssl.X509TrustManager() {
            @Override
            public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

            @Override
            public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

            @Override
            public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                return new java.security.cert.X509Certificate[0];
            }
        };
        try {
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, new javax.net.ssl.TrustManager[] {any}, null);
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("no TLS", e);
        }
    }

    /** Null on success, else why it failed. */
    String run(ProbeTarget t, Duration timeout) {
        return t.http() ? httpGet(t, timeout) : tcp(t, timeout);
    }

    private static String tcp(ProbeTarget t, Duration timeout) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(t.host(), t.port()), (int) Math.max(1, timeout.toMillis()));
            return null;
        } catch (IOException e) {
            return "dial tcp " + t.host() + ":" + t.port() + ": " + describe(e);
        }
    }

    private String httpGet(ProbeTarget t, Duration timeout) {
        String host = t.host().contains(":") ? "[" + t.host() + "]" : t.host();
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create((t.https() ? "https://" : "http://") + host + ":"
                        + t.port() + t.path()))
                .timeout(timeout).header("User-Agent", USER_AGENT).header("Accept", "*/*").GET();
        try {
            HttpResponse<Void> r = client(t.https()).send(req.build(), HttpResponse.BodyHandlers.discarding());
            int code = r.statusCode();
            return code >= 200 && code < 400 ? null : "HTTP probe failed with statuscode: " + code;
        } catch (IOException e) {
            return "Get \"" + t + "\": " + describe(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static String describe(IOException e) {
        if (e instanceof java.net.ConnectException) {
            return "connect: connection refused";
        }
        if (e instanceof java.net.SocketTimeoutException || e instanceof java.net.http.HttpTimeoutException) {
            return "context deadline exceeded (Client.Timeout exceeded while awaiting headers)";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
