package dev.clusterdns.cli;

import dev.clusterdns.agent.AgentConfig;
import dev.clusterdns.agent.ClusterAgent;
import dev.clusterdns.agent.snapshot.NamespaceObjects;
import dev.clusterdns.agent.snapshot.ClusterView;
import dev.clusterdns.cli.serve.AgentOptions;
import dev.clusterdns.cli.serve.DnsOptions;
import dev.clusterdns.cli.serve.EnvOptions;
import dev.clusterdns.cli.http.HttpEndpoint;
import dev.clusterdns.cli.kubeapi.KubeApi;
import dev.clusterdns.cli.serve.HostPort;
import dev.clusterdns.cli.serve.IngressOptions;
import dev.clusterdns.cli.serve.PodNetworkOptions;
import dev.clusterdns.cli.serve.ProxyOptions;
import dev.clusterdns.cli.serve.Readiness;
import dev.clusterdns.cli.serve.ResolverOptions;
import dev.clusterdns.cli.serve.ServeContext;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the agent, DNS server, proxy, Ingress controller and env writer in one process.")
final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Mixin AgentOptions agentOptions;
    @Mixin DnsOptions dnsOptions;
    @Mixin ResolverOptions resolverOptions;
    @Mixin ProxyOptions proxyOptions;
    @Mixin EnvOptions envOptions;
    @Mixin IngressOptions ingressOptions;
    @Mixin PodNetworkOptions podNetworkOptions;

    @Option(names = "--http-listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9153",
            description = "HTTP address for /health, /ready, /metrics and the read API (default ${DEFAULT-VALUE}).")
    String httpListen;

    @Override
    public Integer call() throws Exception {
        agentOptions.checkPaths();
        Deque<AutoCloseable> running = new ArrayDeque<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Readiness readiness = new Readiness();
        java.time.Duration lameDuck = dnsOptions.lameDuck();
        Thread hook = new Thread(() -> {
            lameDuck(readiness, lameDuck);
            closeAll(running);
            stopped.countDown();
        }, "clusterdns-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        try {
            PrometheusRegistry metrics = new PrometheusRegistry();
            // Held closed until every component has started, so /ready never answers 200 while a
            // component is still building and has not registered its own gate yet (nor when the agent
            // syncs before the others start).
            Runnable started = readiness.gate("start");
            Runnable agentSynced = readiness.gate("agent");
            // [workloads] Pods are scheduled to the proxy's node; kube-dns points at this DNS server.
            AgentConfig agentConfig = podNetworkOptions.adjust(agentOptions.config(), agentOptions.serviceCidrGiven(),
                    agentOptions.podCidrGiven());
            if (podNetworkOptions.enabled()) {
                proxyOptions.useInterfaceMode();
            }
            agentConfig = agentConfig.withWorkloads(agentConfig.podCidr(), proxyOptions.config().nodeName())
                    .withKubeDns(dnsOptions.kubeDnsTarget(httpListen));
            ClusterAgent agent = new ClusterAgent(agentConfig);
            readiness.explain("agent", agent::waitingFor);
            HttpEndpoint http = HttpEndpoint.start(HostPort.parse(httpListen, 9153));
            push(running, http);
            http.route("/health", ex -> ex.reply(200, "text/plain; charset=utf-8", "OK\n"));
            http.route("/ready", ex -> {
                boolean ready = readiness.ready();
                ex.reply(ready ? 200 : 503, "text/plain; charset=utf-8", (ready ? "OK\n" : "waiting for:\n" + readiness.pending())
                        + readiness.problems().stream().map(p -> "not serving: " + p.message() + "\n").collect(Collectors.joining())
                        + agent.sourceProblems().stream().map(p -> "degraded: " + p.message() + "\n").collect(Collectors.joining()));
            });
            PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
            http.route("/metrics", ex -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                writer.write(out, metrics.scrape());
                ex.reply(200, writer.getContentType(), out.toByteArray());
            });

            push(running, agent);
            KubeApi api = new KubeApi(agent.view(), agent.config(), VersionCommand.version(), () -> {
                var all = new java.util.ArrayList<>(agent.sourceProblems());
                all.addAll(readiness.problems());
                return all;
            });
            push(running, api);
            api.register(http);
            api.ingressStatus(ingressOptions.status());
            registerAgentMetrics(metrics, agent.view());
            agent.start();
            agent.synced().thenRun(agentSynced);

            push(running, podNetworkOptions.start(agent.config()));
            ServeContext context = new ServeContext(agent.view(), agent.config(), readiness, metrics,
                    agentOptions.configTree());
            push(running, dnsOptions.start(context, resolverOptions));
            // DNS is bound: while a Kubernetes API server is absent or slow, zone files and forwarding
            // answer and the cluster zone SERVFAILs; the rest starts after at most the start-up wait.
            agent.awaitSynced();
            proxyOptions.leaveAlone(dnsOptions.servedClusterIpAddresses());
            push(running, proxyOptions.start(context));
            push(running, envOptions.start(context));
            push(running, ingressOptions.start(context));
            // The first load grows the heap to several times what stays live, and G1 hands memory back
            // only after a marking cycle, which a server busy enough never to be idle may not run for
            // hours. One full collection once everything else is ready, before /ready says so, returns
            // it at start (a fraction of a second at 160k objects) instead of never.
            readiness.othersOpen("start").thenRunAsync(() -> {
                System.gc();
                started.run();
                markReady(System.getProperty("clusterdns.cds.ready-marker"));
            });
            LOG.info("clusterdns serving; HTTP on {}", http.address());
        } catch (Exception e) {
            closeAll(running);
            Runtime.getRuntime().removeShutdownHook(hook);
            throw e;
        }
        stopped.await();
        return 0;
    }

    /**
     * Tells the launcher that this run reached /ready, so the class data sharing archive the JVM
     * writes at exit holds the classes a whole start loads (the launcher drops one without it).
     */
    private static void markReady(String marker) {
        if (marker == null || marker.isEmpty()) {
            return;
        }
        try {
            Files.write(Path.of(marker), new byte[0]);
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot write the ready marker {}: {}", marker, e.toString());
        }
    }

    private static void registerAgentMetrics(PrometheusRegistry metrics, ClusterView view) {
        GaugeWithCallback.builder().name("clusterdns_snapshot_revision").help("Revision of the published cluster snapshot.")
                .callback(cb -> cb.call(view.current().revision())).register(metrics);
        GaugeWithCallback.builder().name("clusterdns_snapshot_problems").help("Objects left out of the snapshot for bad input.")
                .callback(cb -> cb.call(view.current().problems().size())).register(metrics);
        GaugeWithCallback.builder().name("clusterdns_snapshot_objects").help("Objects in the snapshot by kind.")
                .labelNames("kind")
                .callback(cb -> {
                    var s = view.current();
                    cb.call(s.count(NamespaceObjects::services), "Service");
                    cb.call(s.count(NamespaceObjects::pods), "Pod");
                    cb.call(s.count(NamespaceObjects::endpointSlices), "EndpointSlice");
                    cb.call(s.namespaces().size(), "Namespace");
                }).register(metrics);
    }

    /**
     * CoreDNS's `health { lameduck }`: /ready answers 503 at once, so load balancers and orchestrators
     * stop sending new clients, while everything keeps serving for {@code delay}; then the caller stops.
     */
    private static void lameDuck(Readiness readiness, java.time.Duration delay) {
        readiness.stopping();
        if (!delay.isZero()) {
            LOG.info("shutting down: /ready answers 503, still serving for {} s (--lameduck)", delay.toSeconds());
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static synchronized void push(Deque<AutoCloseable> running, AutoCloseable c) {
        running.push(c);
    }

    private static synchronized void closeAll(Deque<AutoCloseable> running) {
        while (!running.isEmpty()) {
            try {
                running.pop().close();
            } catch (Exception e) {
                System.err.println("clusterdns: error while stopping: " + e);
            }
        }
    }
}
