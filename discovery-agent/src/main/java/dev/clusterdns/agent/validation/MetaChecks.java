package dev.clusterdns.agent.validation;

import dev.clusterdns.agent.model.ObjectMeta;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** `ValidateObjectMeta` and the label/annotation checks every kind shares. */
final class MetaChecks {
    private MetaChecks() {}

    /**
     * @param nameRule the kind's name format (DNS-1035 label for Services, DNS-1123 subdomain for
     *     most others)
     * @param namespaced whether the kind lives in a namespace (then one is required)
     */
    static void objectMeta(ObjectMeta meta, Function<String, List<String>> nameRule, boolean namespaced,
                           List<FieldError> out) {
        ObjectMeta m = meta == null ? ObjectMeta.of(null, null) : meta;
        if (m.generateName() != null && !m.generateName().isEmpty()) {
            for (String msg : nameRule.apply(maskTrailingDash(m.generateName()))) {
                out.add(FieldError.invalid("metadata.generateName", m.generateName(), msg));
            }
        }
        if (m.name() == null || m.name().isEmpty()) {
            out.add(FieldError.required("metadata.name", "name or generateName is required"));
        } else {
            for (String msg : nameRule.apply(m.name())) {
                out.add(FieldError.invalid("metadata.name", m.name(), msg));
            }
        }
        if (namespaced) {
            if (m.namespace() == null || m.namespace().isEmpty()) {
                out.add(FieldError.required("metadata.namespace", ""));
            } else {
                for (String msg : Formats.dns1123Label(m.namespace())) {
                    out.add(FieldError.invalid("metadata.namespace", m.namespace(), msg));
                }
            }
        } else if (m.namespace() != null && !m.namespace().isEmpty()) {
            out.add(FieldError.forbidden("metadata.namespace", "not allowed on this type"));
        }
        labels(m.labels(), "metadata.labels", out);
        annotations(m.annotations(), "metadata.annotations", out);
    }

    /** A generated name gets a suffix, so a trailing dash is fine there. */
    private static String maskTrailingDash(String name) {
        return name.length() > 1 && name.endsWith("-") ? name.substring(0, name.length() - 2) + "a" : name;
    }

    /** `ValidateLabels`: keys are qualified names, values label values; both reported on the map's path. */
    static void labels(Map<String, String> labels, String path, List<FieldError> out) {
        if (labels == null) {
            return;
        }
        labels.forEach((k, v) -> {
            for (String msg : Formats.qualifiedName(k)) {
                out.add(FieldError.invalid(path, k, msg));
            }
            for (String msg : Formats.labelValue(v == null ? "" : v)) {
                out.add(FieldError.invalid(path, v == null ? "" : v, msg));
            }
        });
    }

    static void annotations(Map<String, String> annotations, String path, List<FieldError> out) {
        long total = 0;
        for (Map.Entry<String, String> e : annotations.entrySet()) {
            for (String msg : Formats.qualifiedName(e.getKey().toLowerCase(java.util.Locale.ROOT))) {
                out.add(FieldError.invalid(path, e.getKey(), msg));
            }
            total += e.getKey().length() + (e.getValue() == null ? 0 : e.getValue().length());
        }
        if (total > 256 * 1024) {
            out.add(FieldError.tooLong(path, 256 * 1024));
        }
    }
}
