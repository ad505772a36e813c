package dev.clusterdns.cli;

import dev.clusterdns.agent.AgentConfig;
import dev.clusterdns.agent.ClusterAgent;
import dev.clusterdns.agent.snapshot.ClusterView;
import dev.clusterdns.cli.serve.AgentOptions;
import dev.clusterdns.cli.serve.DnsOptions;
import dev.clusterdns.cli.serve.EnvOptions;
import dev.clusterdns.cli.serve.HostPort;
import dev.clusterdns.cli.serve.HttpEndpoint;
import dev.clusterdns.cli.serve.PodNetworkOptions;
import dev.clusterdns.cli.serve.ProxyOptions;
import dev.clusterdns.cli.serve.ReadApi;
import dev.clusterdns.cli.serve.Readiness;
import dev.clusterdns.cli.serve.ResolverOptions;
import dev.clusterdns.cli.serve.ServeContext;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the agent, DNS server, proxy and env writer in one process.")
final class ServeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

    @Mixin AgentOptions agentOptions;
    @Mixin DnsOptions dnsOptions;
    @Mixin ResolverOptions resolverOptions;
    @Mixin ProxyOptions proxyOptions;
    @Mixin EnvOptions envOptions;
    @Mixin PodNetworkOptions podNetworkOptions;

    @Option(names = "--http-listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9153",
            description = "HTTP address for /health, /ready, /metrics and the read API (default ${DEFAULT-VALUE}).")
    String httpListen;

    @Override
    public Integer call() throws Exception {
        agentOptions.checkPaths();
        Deque<AutoCloseable> running = new ArrayDeque<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            closeAll(running);
            stopped.countDown();
        }, "clusterdns-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);

        try {
            PrometheusRegistry metrics = new PrometheusRegistry();
            Readiness readiness = new Readiness();
            Runnable agentSynced = readiness.gate("agent");
            HttpEndpoint http = HttpEndpoint.start(HostPort.parse(httpListen, 9153));
            push(running, http);
            http.route("/health", ex -> HttpEndpoint.send(ex, 200, "text/plain", "OK\n"));
            http.route("/ready", ex -> {
                boolean ready = readiness.ready();
                HttpEndpoint.send(ex, ready ? 200 : 503, "text/plain", ready ? "OK\n" : "waiting for:\n" + readiness.pending());
            });
            PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
            http.route("/metrics", ex -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                writer.write(out, metrics.scrape());
                HttpEndpoint.send(ex, 200, writer.getContentType(), out.toString(StandardCharsets.UTF_8));
            });

            // [workloads] Pods are scheduled to the proxy's node; kube-dns points at this DNS server.
            AgentConfig agentConfig = podNetworkOptions.adjust(agentOptions.config(), agentOptions.serviceCidrGiven(),
                    agentOptions.podCidrGiven());
            if (podNetworkOptions.enabled()) {
                proxyOptions.useInterfaceMode();
            }
            agentConfig = agentConfig.withWorkloads(agentConfig.podCidr(), proxyOptions.config().nodeName())
                    .withKubeDns(dnsOptions.kubeDnsTarget(httpListen));
            ClusterAgent agent = new ClusterAgent(agentConfig);
            push(running, agent);
            new ReadApi(agent.view()).register(http);
            registerAgentMetrics(metrics, agent.view());
            agent.start();
            agentSynced.run();

            push(running, podNetworkOptions.start(agent.config()));
            ServeContext context = new ServeContext(agent.view(), agent.config(), readiness, metrics,
                    agentOptions.configTree());
            // Held closed until every component has started, so /ready never answers 200 while a
            // component is still building and has not registered its own gate yet.
            Runnable started = readiness.gate("start");
            push(running, dnsOptions.start(context, resolverOptions.before(context), resolverOptions.after(context)));
            proxyOptions.leaveAlone(dnsOptions.servedClusterIpAddresses());
            push(running, proxyOptions.start(context));
            push(running, envOptions.start(context));
            started.run();
            LOG.info("clusterdns serving; HTTP on {}", http.address());
        } catch (Exception e) {
            closeAll(running);
            Runtime.getRuntime().removeShutdownHook(hook);
            throw e;
        }
        stopped.await();
        return 0;
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
                    cb.call(s.services().size(), "Service");
                    cb.call(s.pods().size(), "Pod");
                    cb.call(s.endpointSlices().size(), "EndpointSlice");
                    cb.call(s.namespaces().size(), "Namespace");
                }).register(metrics);
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
