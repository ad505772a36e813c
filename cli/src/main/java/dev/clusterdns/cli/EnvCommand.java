package dev.clusterdns.cli;

import dev.clusterdns.agent.ClusterAgent;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.cli.serve.AgentOptions;
import dev.clusterdns.env.exec.EnvExec;
import dev.clusterdns.env.format.EnvFormat;
import dev.clusterdns.env.pod.EnvReferenceException;
import dev.clusterdns.env.pod.PodEnv;
import dev.clusterdns.env.pod.PodEnvironment;
import dev.clusterdns.env.service.ServiceEnv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `clusterdns env`: the variables kubelet would give a pod, printed or handed to a command. */
@Command(name = "env", mixinStandardHelpOptions = true, subcommands = EnvCommand.Exec.class,
        description = {"Print the environment variables kubelet would give a pod in NAMESPACE: the service variables",
            "(<NAME>_SERVICE_HOST, ...), or with --pod that pod's container env (env, envFrom, fieldRefs)."})
final class EnvCommand implements Callable<Integer> {

    @Mixin AgentOptions agentOptions;
    @Mixin ClusterSource source;
    @Mixin Target target;

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "shell",
            description = "shell (safe to source), dotenv, json or docker (--env-file); default ${DEFAULT-VALUE}.")
    String format;

    @Override
    public Integer call() {
        try {
            EnvFormat f = EnvFormat.parse(format);
            Map<String, String> vars = target.variables(source.load(agentOptions, "env").snapshot());
            String text = f.render(vars, w -> System.err.println("clusterdns env: warning: " + w));
            System.out.write(text.getBytes(StandardCharsets.UTF_8));
            System.out.flush();
            return 0;
        } catch (Failure | IllegalArgumentException | EnvReferenceException e) {
            System.err.println("clusterdns env: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            System.err.println("clusterdns env: " + e.getMessage());
            return 1;
        }
    }

    /** `clusterdns env exec … -- CMD ARGS…`. */
    @Command(name = "exec", mixinStandardHelpOptions = true,
            description = {"Run CMD with this environment plus the variables `env` would print. SIGTERM, SIGINT and",
                "SIGHUP are passed on to CMD; the exit status is CMD's. Put `--` before CMD."})
    static final class Exec implements Callable<Integer> {
        @Mixin AgentOptions agentOptions;
        @Mixin ClusterSource source;
        @Mixin Target target;

        @Parameters(arity = "1..*", paramLabel = "CMD", description = "The command and its arguments.")
        List<String> command;

        @Override
        public Integer call() {
            Map<String, String> vars;
            try {
                vars = target.variables(source.load(agentOptions, "env exec").snapshot());
            } catch (Failure | IllegalArgumentException | EnvReferenceException | IOException e) {
                System.err.println("clusterdns env exec: " + e.getMessage());
                return 1;
            }
            try {
                return EnvExec.run(command, vars);
            } catch (IOException e) {
                System.err.println("clusterdns env exec: cannot run " + command.get(0) + ": " + e.getMessage());
                return EnvExec.statusFor(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
    }

    /** Which pod (or namespace) and container: the flags `env` and `env exec` share. */
    @Command
    static final class Target {
        @Option(names = {"-n", "--namespace"}, paramLabel = "NS", defaultValue = "default",
                description = "Namespace (default ${DEFAULT-VALUE}).")
        String namespace;

        @Option(names = "--pod", paramLabel = "NAME",
                description = "A pod: its container's own env, envFrom and fieldRefs, and enableServiceLinks.")
        String pod;

        @Option(names = "--container", paramLabel = "NAME", description = "The pod's container (default the first).")
        String container;

        /** The variables; warnings go to stderr. */
        Map<String, String> variables(ClusterSnapshot snapshot) {
            if (pod == null) {
                if (container != null) {
                    throw new Failure("--container needs --pod");
                }
                requireNamespace(snapshot, namespace);
                ServiceEnv.sizeWarning(snapshot, namespace).ifPresent(EnvCommand::warn);
                return ServiceEnv.forNamespace(snapshot, namespace, true);
            }
            Pod p = snapshot.pod(namespace, pod).orElseThrow(() -> {
                requireNamespace(snapshot, namespace);
                return new Failure("pod \"" + pod + "\" not found in namespace " + namespace);
            });
            PodEnvironment env = PodEnv.forContainer(snapshot, p, container);
            env.warnings().forEach(EnvCommand::warn);
            if (p.spec().serviceLinks()) {
                ServiceEnv.sizeWarning(snapshot, namespace).ifPresent(EnvCommand::warn);
            }
            return env.variables();
        }
    }

    /** The cluster state the agent flags describe, computed once (no server needed). */
    static ClusterSnapshot load(AgentOptions options) throws IOException {
        options.checkPaths();
        try (ClusterAgent agent = new ClusterAgent(options.config())) {
            return agent.loadOnce();
        }
    }

    static void requireNamespace(ClusterSnapshot snapshot, String namespace) {
        boolean known = "default".equals(namespace) || snapshot.namespace(namespace).isPresent()
                || !snapshot.services(namespace).isEmpty() || !snapshot.pods(namespace).isEmpty();
        if (!known) {
            throw new Failure("namespace \"" + namespace + "\" not found");
        }
    }

    private static void warn(String message) {
        System.err.println("clusterdns env: warning: " + message);
    }

    /** A user error: printed on stderr, exit status 1. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message);
        }
    }
}
