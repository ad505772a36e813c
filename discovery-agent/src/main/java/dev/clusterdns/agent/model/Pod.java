package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A Pod. A class rather than a record so that it holds its status as two parts, the IP and the rest
 * that a workload's Pods share ({@link PodStatus.Common}), and its apiVersion and kind as one shared
 * pair: there is one per Pod, 150,000 in a large cluster, and the record held a status object each.
 * Reads exactly as the record did: the same accessors, JSON, equality and text ({@link #status()}
 * makes the status when asked).
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "spec", "status"})
public final class Pod implements KubeObject {
    private static final TypeMeta V1_POD = new TypeMeta("v1", "Pod");

    /** apiVersion and kind: nearly always v1 Pod, one instance for all. */
    private record TypeMeta(String apiVersion, String kind) {
        static TypeMeta of(String apiVersion, String kind) {
            return "v1".equals(apiVersion) && "Pod".equals(kind) ? V1_POD
                    : new TypeMeta(Strings.shared(apiVersion), Strings.shared(kind));
        }
    }

    private final TypeMeta type;
    private final ObjectMeta metadata;
    private final PodSpec spec;
    private final String podIP;
    private final PodStatus.Common status;

    @JsonCreator
    public Pod(@JsonProperty("apiVersion") String apiVersion, @JsonProperty("kind") String kind,
               @JsonProperty("metadata") ObjectMeta metadata, @JsonProperty("spec") PodSpec spec,
               @JsonProperty("status") PodStatus status) {
        PodStatus s = status == null ? PodStatus.empty() : status;
        this.type = TypeMeta.of(apiVersion, kind);
        this.metadata = metadata;
        this.spec = spec == null ? PodSpec.empty() : spec;
        this.podIP = s.podIP();
        this.status = s.common();
    }

    /** From parts already normalised (for {@link SharedValues}). */
    private Pod(TypeMeta type, ObjectMeta metadata, PodSpec spec, String podIP, PodStatus.Common status) {
        this.type = type;
        this.metadata = metadata;
        this.spec = spec;
        this.podIP = podIP;
        this.status = status;
    }

    /** This Pod with the given parts, each equal to its own (shared instances, see {@link SharedValues}). */
    Pod withShared(ObjectMeta sharedMetadata, PodSpec sharedSpec, PodStatus.Common sharedStatus) {
        return new Pod(type, sharedMetadata, sharedSpec, podIP, sharedStatus);
    }

    /** The status as held, without its IP. */
    PodStatus.Common statusCommon() {
        return status;
    }

    @Override
    @JsonProperty("apiVersion")
    public String apiVersion() {
        return type.apiVersion();
    }

    @Override
    @JsonProperty("kind")
    public String kind() {
        return type.kind();
    }

    @Override
    @JsonProperty("metadata")
    public ObjectMeta metadata() {
        return metadata;
    }

    @JsonProperty("spec")
    public PodSpec spec() {
        return spec;
    }

    @JsonProperty("status")
    public PodStatus status() {
        return new PodStatus(podIP, status);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Pod p && type.equals(p.type) && Objects.equals(metadata, p.metadata) && spec.equals(p.spec)
                && Objects.equals(podIP, p.podIP) && status.equals(p.status);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, metadata, spec, podIP, status);
    }

    @Override
    public String toString() {
        return "Pod[apiVersion=" + apiVersion() + ", kind=" + kind() + ", metadata=" + metadata + ", spec=" + spec
                + ", status=" + status() + "]";
    }

    /** All pod IPs, primary first: `status.podIPs`, else `status.podIP`. */
    @JsonIgnore
    public List<String> podIPs() {
        List<String> ips = new ArrayList<>();
        for (PodIP ip : PodStatus.podIPs(podIP, status)) {
            if (ip.ip() != null && !ip.ip().isEmpty() && !ips.contains(ip.ip())) {
                ips.add(ip.ip());
            }
        }
        if (ips.isEmpty() && podIP != null && !podIP.isEmpty()) {
            ips.add(podIP);
        }
        return ips;
    }

    /**
     * Ready as the endpoints controller sees it: the Ready condition is True. A pod manifest with an
     * IP and no conditions at all counts as ready here (hand-written manifests rarely carry status
     * conditions); an explicit Ready=False is honoured.
     */
    @JsonIgnore
    public boolean isReady() {
        for (PodCondition c : status.conditions()) {
            if ("Ready".equals(c.type())) {
                return "True".equals(c.status());
            }
        }
        return status.conditions().isEmpty() && !podIPs().isEmpty();
    }

    @JsonIgnore
    public boolean isTerminating() {
        return metadata.deletionTimestamp() != null && !metadata.deletionTimestamp().isEmpty();
    }

    @JsonIgnore
    public boolean isFinished() {
        return "Failed".equals(status.phase()) || "Succeeded".equals(status.phase());
    }
}
