package dev.clusterdns.cli.serve;

import dev.clusterdns.agent.model.Ingress;
import dev.clusterdns.ingress.IngressConfig;
import dev.clusterdns.ingress.IngressController;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.function.UnaryOperator;
import picocli.CommandLine.Option;

/** Ingress (L7) flags and start-up (issue 10). */
@picocli.CommandLine.Command
public final class IngressOptions implements ServeComponent {

    @Option(names = "--ingress-http", paramLabel = "HOST:PORT",
            description = "Plain HTTP address of the Ingress controller (repeatable; default 127.0.0.1:8080).")
    List<String> http;

    @Option(names = "--ingress-https", paramLabel = "HOST:PORT",
            description = "HTTPS address of the Ingress controller, certificates chosen by SNI (repeatable; default 127.0.0.1:8443).")
    List<String> https;

    @Option(names = "--no-ingress", description = "Do not serve Ingresses.")
    boolean noIngress;

    @Option(names = "--ingress-class", paramLabel = "NAME",
            description = "Serve only Ingresses of this class (spec.ingressClassName or the kubernetes.io/ingress.class "
                    + "annotation) and those with no class (repeatable; default: every Ingress).")
    List<String> classes;

    @Option(names = "--ingress-default-certificate", paramLabel = "SECRET",
            description = "[NAMESPACE/]NAME of a kubernetes.io/tls Secret served to clients without SNI and for hosts "
                    + "without a certificate (default: a self-signed certificate made at start).")
    String defaultCertificate;

    @Option(names = "--ingress-access-log", paramLabel = "FILE", arity = "0..1", fallbackValue = "-",
            description = "Log one line per Ingress request, to FILE or (without one, or -) to standard output.")
    String accessLog;

    @Option(names = "--ingress-upstream-timeout", paramLabel = "DURATION", defaultValue = "60s",
            description = "Answer 504 when an endpoint sends nothing this long (default ${DEFAULT-VALUE}, as ingress-nginx).")
    String upstreamTimeout;

    @Option(names = "--ingress-connect-timeout", paramLabel = "DURATION", defaultValue = "5s",
            description = "Give up connecting to an endpoint after this long and try the next (default ${DEFAULT-VALUE}).")
    String connectTimeout;

    @Option(names = "--ingress-threads", paramLabel = "N", defaultValue = "0",
            description = "Ingress event-loop threads; 0 = one per core (default ${DEFAULT-VALUE}).")
    int threads;

    private volatile IngressController controller;
    private final String nodeAddress = nodeAddress();

    /** The settings these flags describe; bad values fail with the flag named. */
    public IngressConfig config() throws IOException {
        List<InetSocketAddress> h = addresses("--ingress-http", http, "127.0.0.1:8080", 80);
        List<InetSocketAddress> s = addresses("--ingress-https", https, "127.0.0.1:8443", 443);
        if (threads < 0) {
            throw new IllegalArgumentException("--ingress-threads " + threads + ": must be 0 or more");
        }
        PrintStream log = null;
        if (accessLog != null) {
            log = accessLog.equals("-") ? System.out
                    : new PrintStream(new FileOutputStream(accessLog, true), true, StandardCharsets.UTF_8);
        }
        Duration upstream = ProxyOptions.duration("--ingress-upstream-timeout", upstreamTimeout);
        Duration connect = ProxyOptions.duration("--ingress-connect-timeout", connectTimeout);
        if (upstream.isZero() || connect.isZero()) {
            throw new IllegalArgumentException("--ingress-upstream-timeout and --ingress-connect-timeout must be more than 0");
        }
        return new IngressConfig(h, s, classes == null ? java.util.Set.of() : new LinkedHashSet<>(classes),
                defaultCertificate, log, connect, upstream, threads);
    }

    private static List<InetSocketAddress> addresses(String flag, List<String> given, String dflt, int defaultPort) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String a : given == null ? List.of(dflt) : given) {
            try {
                out.add(HostPort.parse(a, defaultPort));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(flag + " " + a + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    @Override
    public AutoCloseable start(ServeContext context) throws Exception {
        if (noIngress) {
            return () -> {};
        }
        IngressConfig config = config();
        Runnable ready = context.readiness().gate("ingress");
        IngressController c = new IngressController(context.cluster(), config, context.metrics());
        c.start();
        controller = c;
        c.firstSync().thenRun(ready);
        return () -> {
            controller = null;
            c.close();
            if (config.accessLog() != null && config.accessLog() != System.out) {
                config.accessLog().close();
            }
        };
    }

    /** What the read API shows for an Ingress: with this controller's status when it serves it. */
    public UnaryOperator<Ingress> status() {
        return i -> {
            IngressController c = controller;
            return c == null ? i : c.withStatus(i, nodeAddress);
        };
    }

    /** The first non-loopback IPv4 address, as a node's InternalIP; loopback without one. */
    private static String nodeAddress() {
        try {
            for (NetworkInterface n : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!n.isUp() || n.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(n.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return "127.0.0.1";
    }
}
