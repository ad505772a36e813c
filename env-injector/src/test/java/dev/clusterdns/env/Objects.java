package dev.clusterdns.env;

import dev.clusterdns.agent.model.ConfigMap;
import dev.clusterdns.agent.model.Container;
import dev.clusterdns.agent.model.EnvFromSource;
import dev.clusterdns.agent.model.EnvVar;
import dev.clusterdns.agent.model.ObjectMeta;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.PodDNSConfig;
import dev.clusterdns.agent.model.PodIP;
import dev.clusterdns.agent.model.PodSpec;
import dev.clusterdns.agent.model.PodStatus;
import dev.clusterdns.agent.model.Secret;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import dev.clusterdns.agent.model.ServiceSpec;
import java.util.List;
import java.util.Map;

/** Model objects built by hand for the env-injector tests. */
public final class Objects {
    private Objects() {}

    public static ServicePort port(String name, String protocol, int port) {
        return new ServicePort(name, protocol, null, port, null, null);
    }

    public static Service service(String ns, String name, String clusterIP, ServicePort... ports) {
        return typed(ns, name, null, clusterIP, ports);
    }

    public static Service typed(String ns, String name, String type, String clusterIP, ServicePort... ports) {
        ServiceSpec spec = new ServiceSpec(type, Map.of(), List.of(ports), clusterIP,
                clusterIP == null ? null : List.of(clusterIP), null, null,
                "ExternalName".equals(type) ? "example.com" : null, null, null, null, null, null, null, null, null,
                null, null, null, null);
        return new Service("v1", "Service", ObjectMeta.of(ns, name), spec, null);
    }

    public static Container container(String name, List<EnvVar> env, List<EnvFromSource> envFrom) {
        return new Container(name, "busybox", null, null, null, env, envFrom, null);
    }

    public static EnvVar env(String name, String value) {
        return new EnvVar(name, value, null);
    }

    public static EnvVar fieldRef(String name, String path) {
        return new EnvVar(name, null, new EnvVar.EnvVarSource(new EnvVar.FieldRef("v1", path), null, null, null));
    }

    public static EnvVar configMapKey(String name, String cm, String key, Boolean optional) {
        return new EnvVar(name, null, new EnvVar.EnvVarSource(null, null, new EnvVar.KeyRef(cm, key, optional), null));
    }

    public static EnvVar secretKey(String name, String secret, String key, Boolean optional) {
        return new EnvVar(name, null, new EnvVar.EnvVarSource(null, null, null, new EnvVar.KeyRef(secret, key, optional)));
    }

    public static EnvFromSource fromConfigMap(String prefix, String name, Boolean optional) {
        return new EnvFromSource(prefix, new EnvFromSource.SourceRef(name, optional), null);
    }

    public static EnvFromSource fromSecret(String prefix, String name, Boolean optional) {
        return new EnvFromSource(prefix, null, new EnvFromSource.SourceRef(name, optional));
    }

    public static Pod pod(String ns, String name, Boolean serviceLinks, Container... containers) {
        return pod(new ObjectMeta(name, null, ns, null, null, null, null, null, null), serviceLinks, null, false, null,
                null, containers);
    }

    public static Pod pod(ObjectMeta meta, Boolean serviceLinks, String dnsPolicy, boolean hostNetwork,
                          PodDNSConfig dnsConfig, PodStatus status, Container... containers) {
        PodSpec spec = new PodSpec(List.of(containers), null, null, null, "node-1", hostNetwork, dnsPolicy, dnsConfig,
                serviceLinks, null, null, null);
        return new Pod("v1", "Pod", meta, spec, status);
    }

    public static PodStatus status(String hostIP, String... podIPs) {
        return new PodStatus("Running", podIPs.length == 0 ? null : podIPs[0],
                List.of(podIPs).stream().map(PodIP::new).toList(), hostIP, null);
    }

    public static ConfigMap configMap(String ns, String name, Map<String, String> data) {
        return new ConfigMap("v1", "ConfigMap", ObjectMeta.of(ns, name), data, null);
    }

    public static Secret secret(String ns, String name, Map<String, String> data, Map<String, String> stringData) {
        return new Secret("v1", "Secret", ObjectMeta.of(ns, name), "Opaque", data, stringData);
    }
}
