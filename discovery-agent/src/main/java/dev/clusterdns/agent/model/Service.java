package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Service(String apiVersion, String kind, ObjectMeta metadata, ServiceSpec spec, ServiceStatus status)
        implements KubeObject {

    public static final String TYPE_CLUSTER_IP = "ClusterIP";
    public static final String TYPE_NODE_PORT = "NodePort";
    public static final String TYPE_LOAD_BALANCER = "LoadBalancer";
    public static final String TYPE_EXTERNAL_NAME = "ExternalName";
    public static final String CLUSTER_IP_NONE = "None";

    public Service {
        apiVersion = Strings.shared(apiVersion);
        kind = Strings.shared(kind);
        if (spec == null) {
            spec = ServiceSpec.empty();
        }
        if (status == null) {
            status = ServiceStatus.empty();
        }
    }

    public Service withSpec(ServiceSpec newSpec) {
        return new Service(apiVersion, kind, metadata, newSpec, status);
    }

    public Service withStatus(ServiceStatus newStatus) {
        return new Service(apiVersion, kind, metadata, spec, newStatus);
    }

    public Service withMetadata(ObjectMeta newMeta) {
        return new Service(apiVersion, kind, newMeta, spec, status);
    }

    @JsonIgnore
    public boolean isHeadless() {
        return CLUSTER_IP_NONE.equals(spec.clusterIP());
    }

    @JsonIgnore
    public boolean isExternalName() {
        return TYPE_EXTERNAL_NAME.equals(spec.type());
    }

    /** True when the Service has a real virtual IP (not headless, not ExternalName, allocated). */
    @JsonIgnore
    public boolean hasClusterIP() {
        String ip = spec.clusterIP();
        return ip != null && !ip.isEmpty() && !CLUSTER_IP_NONE.equals(ip) && !isExternalName();
    }

    /** The ClusterIPs (one per family, primary first); empty when headless or ExternalName. */
    @JsonIgnore
    public List<String> clusterIPs() {
        if (!hasClusterIP()) {
            return List.of();
        }
        return spec.clusterIPs().isEmpty() ? List.of(spec.clusterIP()) : spec.clusterIPs();
    }

    /** LoadBalancer ingress IPs from status. */
    @JsonIgnore
    public List<String> loadBalancerIPs() {
        return status.loadBalancer().ingress().stream()
                .map(LoadBalancerIngress::ip)
                .filter(ip -> ip != null && !ip.isEmpty())
                .toList();
    }
}
