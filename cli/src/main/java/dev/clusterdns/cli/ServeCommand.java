package dev.clusterdns.cli;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.clusterdns.agent.ClusterAgent;
import dev.clusterdns.cli.serve.AgentOptions;
import dev.clusterdns.cli.serve.DnsOptions;
import dev.clusterdns.cli.serve.EnvOptions;
import dev.clusterdns.cli.serve.HttpEndpoint;
import dev.clusterdns.cli.serve.HostPort;
import dev.clusterdns.cli.serve.ProxyOptions;
import dev.clusterdns.cli.serve.Readiness;
import dev.clusterdns.cli.serve.ResolverOptions;
import dev.clusterdns.cli.serve.ServeContext;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run the agent, DNS server, proxy and env writer in one process.")
final class ServeCommand implements Callable<Integer> {

    @Mixin AgentOptions agentOptions;
    @Mixin DnsOptions dnsOptions;
    @Mixin ResolverOptions resolverOptions;
    @Mixin ProxyOptions proxyOptions;
    @Mixin EnvOptions envOptions;

    @Option(names = "--http-listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9153",
            description = "HTTP address for /health, /ready, /metrics and the read API (default ${DEFAULT-VALUE}).")
    String httpListen;

    @Override
    public Integer call() throws Exception {
        Deque<AutoCloseable> running = new ArrayDeque<>();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closeAll(running);
            stopped.countDown();
        }, "clusterdns-shutdown"));

        ClusterAgent agent = new ClusterAgent(agentOptions.config());
        running.push(agent);
        Readiness readiness = new Readiness();
        HttpEndpoint http = HttpEndpoint.start(HostPort.parse(httpListen, 9153));
        running.push(http);
        http.route("/health", ex -> HttpEndpoint.send(ex, 200, "text/plain", "OK\n"));
        http.route("/ready", ex -> {
            boolean ready = readiness.ready();
            HttpEndpoint.send(ex, ready ? 200 : 503, "text/plain", ready ? "OK\n" : readiness.pending());
        });
        Runnable agentSynced = readiness.gate("agent");
        ServeContext context = new ServeContext(agent.view(), agent.config(), readiness,
                PrometheusRegistry.defaultRegistry, JsonNodeFactory.instance.objectNode());
        agent.start();
        agentSynced.run();
        running.push(dnsOptions.start(context, resolverOptions.before(context), resolverOptions.after(context)));
        running.push(proxyOptions.start(context));
        running.push(envOptions.start(context));
        stopped.await();
        return 0;
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
