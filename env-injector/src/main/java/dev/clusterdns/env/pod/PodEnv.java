package dev.clusterdns.env.pod;

import dev.clusterdns.agent.model.ConfigMap;
import dev.clusterdns.agent.model.Container;
import dev.clusterdns.agent.model.EnvFromSource;
import dev.clusterdns.agent.model.EnvVar;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Secret;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.env.service.ServiceEnv;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A container's environment as kubelet builds it (`makeEnvironmentVariables`): envFrom first, then
 * `env` entries with `$(VAR)` expansion and downward-API/ConfigMap/Secret values, then every service
 * variable the container did not define itself.
 */
public final class PodEnv {
    /** `IsEnvVarName`: what kubelet accepts as a key imported through envFrom. */
    private static final Pattern ENV_VAR_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

    private PodEnv() {}

    /**
     * The environment of {@code containerName} (null: the first container) of {@code pod}.
     *
     * @throws IllegalArgumentException when the pod has no such container
     * @throws EnvReferenceException when kubelet would refuse to start the container
     */
    public static PodEnvironment forContainer(ClusterSnapshot snapshot, Pod pod, String containerName) {
        Container container = container(pod, containerName);
        List<String> warnings = new ArrayList<>();
        Map<String, String> serviceEnv = ServiceEnv.forNamespace(snapshot, pod.namespace(), pod.spec().serviceLinks());
        Map<String, String> own = new LinkedHashMap<>();
        String where = "pod " + pod.metadata().key() + " container " + container.name();

        for (EnvFromSource from : container.envFrom()) {
            importFrom(snapshot, pod, from, own, warnings, where);
        }
        for (EnvVar v : container.env()) {
            String value;
            if (v.value() != null && !v.value().isEmpty()) {
                // Only what is defined so far, then the service variables: forward references stay literal.
                value = Expansion.expand(v.value(), name -> own.containsKey(name) ? own.get(name) : serviceEnv.get(name));
            } else if (v.valueFrom() != null) {
                value = valueFrom(snapshot, pod, v, where);
                if (value == null) {
                    continue; // optional reference that is absent: kubelet leaves the variable unset
                }
            } else {
                value = "";
            }
            own.put(v.name(), value);
        }

        Map<String, String> all = new LinkedHashMap<>(own);
        serviceEnv.forEach(all::putIfAbsent);
        return new PodEnvironment(all, warnings);
    }

    /** The named container, or the first; containers only (init containers have their own env). */
    public static Container container(Pod pod, String containerName) {
        List<Container> containers = pod.spec().containers();
        if (containers.isEmpty()) {
            throw new IllegalArgumentException("pod " + pod.metadata().key() + " has no containers");
        }
        if (containerName == null) {
            return containers.get(0);
        }
        for (Container c : containers) {
            if (containerName.equals(c.name())) {
                return c;
            }
        }
        List<String> names = containers.stream().map(Container::name).toList();
        throw new IllegalArgumentException("pod " + pod.metadata().key() + " has no container \"" + containerName
                + "\" (containers: " + String.join(", ", names) + ")");
    }

    private static void importFrom(ClusterSnapshot snapshot, Pod pod, EnvFromSource from, Map<String, String> own,
                                   List<String> warnings, String where) {
        String prefix = from.prefix() == null ? "" : from.prefix();
        Map<String, String> data;
        String kind;
        String name;
        if (from.configMapRef() != null) {
            kind = "ConfigMap";
            name = from.configMapRef().name();
            Optional<ConfigMap> cm = snapshot.configMap(pod.namespace(), name);
            if (cm.isEmpty()) {
                if (Boolean.TRUE.equals(from.configMapRef().optional())) {
                    return;
                }
                throw new EnvReferenceException(where + ": envFrom configMapRef " + name + ": configmap \"" + name
                        + "\" not found in namespace " + pod.namespace());
            }
            data = cm.get().data();
        } else if (from.secretRef() != null) {
            kind = "Secret";
            name = from.secretRef().name();
            Optional<Secret> secret = snapshot.secret(pod.namespace(), name);
            if (secret.isEmpty()) {
                if (Boolean.TRUE.equals(from.secretRef().optional())) {
                    return;
                }
                throw new EnvReferenceException(where + ": envFrom secretRef " + name + ": secret \"" + name
                        + "\" not found in namespace " + pod.namespace());
            }
            data = decoded(secret.get(), where + ": envFrom secretRef " + name);
        } else {
            return;
        }
        List<String> invalid = new ArrayList<>();
        for (Map.Entry<String, String> e : data.entrySet()) {
            String key = prefix + e.getKey();
            if (!ENV_VAR_NAME.matcher(key).matches()) {
                invalid.add(key);
                continue;
            }
            own.put(key, e.getValue());
        }
        if (!invalid.isEmpty()) {
            // kubelet's InvalidEnvironmentVariableNames event; the container still starts.
            warnings.add(where + ": keys " + invalid + " from the EnvFrom " + kind.toLowerCase(java.util.Locale.ROOT)
                    + " " + pod.namespace() + "/" + name
                    + " were skipped since they are considered invalid environment variable names.");
        }
    }

    /** The value of a `valueFrom` entry; null when an optional source or key is absent. */
    private static String valueFrom(ClusterSnapshot snapshot, Pod pod, EnvVar v, String where) {
        EnvVar.EnvVarSource src = v.valueFrom();
        String at = where + " variable " + v.name();
        if (src.fieldRef() != null) {
            String path = src.fieldRef().fieldPath();
            String value = FieldPaths.resolve(pod, path);
            if (value == null) {
                throw new EnvReferenceException(at + ": fieldRef " + path + ": unsupported fieldPath (supported: "
                        + String.join(", ", FieldPaths.SUPPORTED) + ")");
            }
            return value;
        }
        if (src.configMapKeyRef() != null) {
            EnvVar.KeyRef ref = src.configMapKeyRef();
            boolean optional = Boolean.TRUE.equals(ref.optional());
            String refText = at + ": configMapKeyRef " + ref.name() + "/" + ref.key();
            Optional<ConfigMap> cm = snapshot.configMap(pod.namespace(), ref.name());
            if (cm.isEmpty()) {
                if (optional) {
                    return null;
                }
                throw new EnvReferenceException(refText + ": configmap \"" + ref.name() + "\" not found in namespace "
                        + pod.namespace());
            }
            String value = cm.get().data().get(ref.key());
            if (value == null && !optional) {
                throw new EnvReferenceException(refText + ": couldn't find key " + ref.key() + " in ConfigMap "
                        + pod.namespace() + "/" + ref.name());
            }
            return value;
        }
        if (src.secretKeyRef() != null) {
            EnvVar.KeyRef ref = src.secretKeyRef();
            boolean optional = Boolean.TRUE.equals(ref.optional());
            String refText = at + ": secretKeyRef " + ref.name() + "/" + ref.key();
            Optional<Secret> secret = snapshot.secret(pod.namespace(), ref.name());
            if (secret.isEmpty()) {
                if (optional) {
                    return null;
                }
                throw new EnvReferenceException(refText + ": secret \"" + ref.name() + "\" not found in namespace "
                        + pod.namespace());
            }
            String value = decoded(secret.get(), refText).get(ref.key());
            if (value == null && !optional) {
                throw new EnvReferenceException(refText + ": couldn't find key " + ref.key() + " in Secret "
                        + pod.namespace() + "/" + ref.name());
            }
            return value;
        }
        if (src.resourceFieldRef() != null) {
            throw new EnvReferenceException(at + ": resourceFieldRef " + src.resourceFieldRef().resource()
                    + " is not supported (clusterdns models no container resources)");
        }
        throw new EnvReferenceException(at + ": valueFrom names no source");
    }

    private static Map<String, String> decoded(Secret secret, String where) {
        try {
            return secret.decoded();
        } catch (IllegalArgumentException e) {
            throw new EnvReferenceException(where + ": secret " + secret.metadata().key() + " holds bad base64: "
                    + e.getMessage());
        }
    }
}
