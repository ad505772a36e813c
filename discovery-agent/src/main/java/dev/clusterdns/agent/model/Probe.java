package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A container probe (`readinessProbe`). Timing fields keep null for "not given"; {@link #timing()}
 * applies the API server's defaults.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Probe(
        HttpGet httpGet,
        TcpSocket tcpSocket,
        Exec exec,
        Object grpc,
        Integer initialDelaySeconds,
        Integer periodSeconds,
        Integer timeoutSeconds,
        Integer successThreshold,
        Integer failureThreshold) {

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record HttpGet(String path, IntOrString port, String host, String scheme, List<Header> httpHeaders) {
        public HttpGet {
            httpHeaders = Lists.copy(httpHeaders);
        }
    }

    public record Header(String name, String value) {}

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record TcpSocket(IntOrString port, String host) {}

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Exec(List<String> command) {
        public Exec {
            command = Lists.copy(command);
        }
    }

    /**
     * The probe's timing with Kubernetes' defaults (SetDefaults_Probe): 0s delay, every 10s, 1s
     * timeout, 1 success, 3 failures; a 0 stands for "unset" as the API server treats it.
     */
    public Timing timing() {
        return new Timing(initialDelaySeconds == null ? 0 : initialDelaySeconds, or(periodSeconds, 10),
                or(timeoutSeconds, 1), or(successThreshold, 1), or(failureThreshold, 3));
    }

    public record Timing(int initialDelaySeconds, int periodSeconds, int timeoutSeconds, int successThreshold,
                         int failureThreshold) {}

    private static int or(Integer v, int d) {
        return v == null || v == 0 ? d : v;
    }
}
