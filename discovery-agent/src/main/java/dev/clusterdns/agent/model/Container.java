package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Container(
        String name,
        String image,
        List<String> command,
        List<String> args,
        List<ContainerPort> ports,
        List<EnvVar> env,
        List<EnvFromSource> envFrom,
        String restartPolicy,
        Probe readinessProbe) {

    public Container {
        name = Strings.shared(name);
        image = Strings.shared(image);
        command = Lists.copy(command);
        args = Lists.copy(args);
        ports = Lists.copy(ports);
        env = Lists.copy(env);
        envFrom = Lists.copy(envFrom);
    }

    /** Without a readiness probe. */
    public Container(String name, String image, List<String> command, List<String> args, List<ContainerPort> ports,
                     List<EnvVar> env, List<EnvFromSource> envFrom, String restartPolicy) {
        this(name, image, command, args, ports, env, envFrom, restartPolicy, null);
    }
}
