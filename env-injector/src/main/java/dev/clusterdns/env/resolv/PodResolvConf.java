package dev.clusterdns.env.resolv;

import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.PodDNSConfig;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.net.IpAddresses;
import dev.clusterdns.agent.snapshot.ClusterSnapshot;
import dev.clusterdns.agent.validation.FieldError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The resolv.conf kubelet gives a pod (`pkg/kubelet/network/dns`): the dnsPolicy picks cluster,
 * host or no base config, `dnsConfig` is merged in, then kubelet's limits apply.
 */
public final class PodResolvConf {
    static final int MAX_NAMESERVERS = 3;
    static final int MAX_SEARCHES = 32;
    static final int MAX_SEARCH_CHARS = 2048;
    static final int MAX_SEARCH_ENTRY = 253;

    private static final Pattern SEARCH = Pattern.compile(
            "[a-z0-9_]([-a-z0-9_]*[a-z0-9_])?(\\.[a-z0-9_]([-a-z0-9_]*[a-z0-9_])?)*");

    /**
     * kubelet's settings.
     *
     * @param clusterDns the `clusterDNS` IPs (empty: ClusterFirst falls back to Default)
     * @param clusterDomain e.g. `cluster.local`
     * @param host the node's resolv.conf, or null for kubelet's `resolvConf: ""` (no host file)
     */
    public record Kubelet(List<String> clusterDns, String clusterDomain, ResolvConf host) {
        public Kubelet {
            clusterDns = List.copyOf(clusterDns);
        }
    }

    /** The file and the warnings kubelet would emit as events while forming it. */
    public record Result(ResolvConf conf, List<String> warnings) {
        public Result {
            warnings = List.copyOf(warnings);
        }
    }

    enum Mode { CLUSTER, HOST, NONE }

    /** The Service kubeadm clusters give cluster DNS; its ClusterIP is the default nameserver. */
    static final String DNS_NAMESPACE = "kube-system";
    static final String DNS_SERVICE = "kube-dns";

    private PodResolvConf() {}

    /**
     * The default `clusterDNS`: the ClusterIP of `kube-system/kube-dns` when that Service exists,
     * else 127.0.0.1 (where `clusterdns serve` listens; resolv.conf cannot name its port 1053).
     */
    public static List<String> defaultClusterDns(ClusterSnapshot snapshot) {
        return snapshot.service(DNS_NAMESPACE, DNS_SERVICE)
                .filter(Service::hasClusterIP)
                .map(s -> List.of(s.spec().clusterIP()))
                .orElse(List.of("127.0.0.1"));
    }

    /** For a pod. @throws IllegalArgumentException when the API server would reject its DNS settings */
    public static Result forPod(Pod pod, Kubelet kubelet) {
        List<FieldError> errors = validate(pod.spec().dnsPolicy(), pod.spec().dnsConfig());
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(FieldError.kubectlMessage("Pod", pod.name(), errors));
        }
        return build(pod.namespace(), pod.spec().dnsPolicy(), pod.spec().usesHostNetwork(), pod.spec().dnsConfig(),
                kubelet);
    }

    /** For a pod with default DNS settings (ClusterFirst, no dnsConfig) in {@code namespace}. */
    public static Result forNamespace(String namespace, Kubelet kubelet) {
        return build(namespace, null, false, null, kubelet);
    }

    static Result build(String namespace, String dnsPolicy, boolean hostNetwork, PodDNSConfig dnsConfig,
                        Kubelet kubelet) {
        List<String> warnings = new ArrayList<>();
        Mode mode = mode(dnsPolicy, hostNetwork, warnings);
        ResolvConf host = kubelet.host() == null ? ResolvConf.empty() : kubelet.host();
        List<String> nameservers = new ArrayList<>();
        List<String> searches = new ArrayList<>();
        List<String> options = new ArrayList<>();
        if (mode == Mode.CLUSTER && kubelet.clusterDns().isEmpty()) {
            warnings.add("MissingClusterDNS: kubelet does not have ClusterDNS IP configured and cannot create Pod using"
                    + " \"ClusterFirst\" policy. Falling back to \"Default\" policy.");
            mode = Mode.HOST;
        }
        if (mode == Mode.CLUSTER) {
            nameservers.addAll(kubelet.clusterDns());
            String domain = kubelet.clusterDomain();
            if (domain == null || domain.isEmpty()) {
                searches.addAll(host.searches());
            } else {
                searches.add(namespace + ".svc." + domain);
                searches.add("svc." + domain);
                searches.add(domain);
                searches.addAll(host.searches());
                searches = dedupe(searches);
            }
            options.add("ndots:5");
        } else if (mode == Mode.HOST) {
            if (kubelet.host() == null) {
                // No host file: a resolver on the node itself, and no search.
                nameservers.add("127.0.0.1");
                searches.add(".");
            } else {
                nameservers.addAll(host.nameservers());
                searches.addAll(host.searches());
                options.addAll(host.options());
            }
        }
        if (dnsConfig != null) {
            nameservers.addAll(dnsConfig.nameservers());
            nameservers = dedupe(nameservers);
            searches.addAll(dnsConfig.searches());
            searches = dedupe(searches);
            options = mergeOptions(options, dnsConfig.options());
        }
        if (nameservers.size() > MAX_NAMESERVERS) {
            nameservers = new ArrayList<>(nameservers.subList(0, MAX_NAMESERVERS));
            warnings.add("DNSConfigForming: Nameserver limits were exceeded, some nameservers have been omitted, the"
                    + " applied nameserver line is: " + String.join(" ", nameservers));
        }
        searches = fitSearches(searches, warnings);
        return new Result(new ResolvConf(searches, nameservers, options), warnings);
    }

    static Mode mode(String dnsPolicy, boolean hostNetwork, List<String> warnings) {
        String policy = dnsPolicy == null || dnsPolicy.isEmpty() ? "ClusterFirst" : dnsPolicy;
        switch (policy) {
            case "ClusterFirst":
                // Silent fallback: a host-network pod asked for the node's resolver unless it says WithHostNet.
                return hostNetwork ? Mode.HOST : Mode.CLUSTER;
            case "ClusterFirstWithHostNet":
                return Mode.CLUSTER;
            case "Default":
                return Mode.HOST;
            case "None":
                return Mode.NONE;
            default:
                warnings.add("invalid DNSPolicy=" + dnsPolicy + ": treated as ClusterFirst");
                return Mode.CLUSTER;
        }
    }

    private static List<String> dedupe(List<String> items) {
        return new ArrayList<>(new LinkedHashSet<>(items));
    }

    /** Base options as `name[:value]`, each dnsConfig option overriding or adding. */
    private static List<String> mergeOptions(List<String> base, List<PodDNSConfig.Option> extra) {
        Map<String, String> merged = new LinkedHashMap<>();
        for (String op : base) {
            int colon = op.indexOf(':');
            if (colon >= 0) {
                merged.put(op.substring(0, colon), op.substring(colon + 1));
            } else {
                merged.put(op, "");
            }
        }
        for (PodDNSConfig.Option op : extra) {
            merged.put(op.name(), op.value() == null ? "" : op.value());
        }
        List<String> out = new ArrayList<>();
        merged.forEach((name, value) -> out.add(value.isEmpty() ? name : name + ":" + value));
        return out;
    }

    private static List<String> fitSearches(List<String> searches, List<String> warnings) {
        boolean exceeded = false;
        List<String> out = new ArrayList<>(searches);
        if (out.size() > MAX_SEARCHES) {
            out = new ArrayList<>(out.subList(0, MAX_SEARCHES));
            exceeded = true;
        }
        // glibc aborts on search entries over 255 characters.
        if (out.removeIf(s -> s.length() > MAX_SEARCH_ENTRY)) {
            exceeded = true;
        }
        int length = String.join(" ", out).length();
        if (length > MAX_SEARCH_CHARS) {
            while (!out.isEmpty() && length > MAX_SEARCH_CHARS) {
                String last = out.remove(out.size() - 1);
                length -= last.length() + 1;
            }
            exceeded = true;
        }
        if (exceeded) {
            warnings.add("DNSConfigForming: Search Line limits were exceeded, some search paths have been omitted, the"
                    + " applied search line is: " + String.join(" ", out));
        }
        return out;
    }

    /** The API server's checks on dnsPolicy/dnsConfig at pod creation. */
    public static List<FieldError> validate(String dnsPolicy, PodDNSConfig dnsConfig) {
        List<FieldError> errors = new ArrayList<>();
        boolean none = "None".equals(dnsPolicy);
        if (dnsConfig == null) {
            if (none) {
                errors.add(FieldError.required("spec.dnsConfig", "must provide `dnsConfig` when `dnsPolicy` is None"));
            }
            return errors;
        }
        List<String> nameservers = dnsConfig.nameservers();
        if (none && nameservers.isEmpty()) {
            errors.add(FieldError.required("spec.dnsConfig.nameservers",
                    "must provide at least one DNS nameserver when `dnsPolicy` is None"));
        }
        if (nameservers.size() > MAX_NAMESERVERS) {
            errors.add(FieldError.invalid("spec.dnsConfig.nameservers", nameservers,
                    "must not have more than " + MAX_NAMESERVERS + " nameservers"));
        }
        for (int i = 0; i < nameservers.size(); i++) {
            if (!IpAddresses.isValid(nameservers.get(i))) {
                errors.add(FieldError.invalid("spec.dnsConfig.nameservers[" + i + "]", nameservers.get(i),
                        "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
            }
        }
        List<String> searches = dnsConfig.searches();
        if (searches.size() > MAX_SEARCHES) {
            errors.add(FieldError.invalid("spec.dnsConfig.searches", searches,
                    "must not have more than " + MAX_SEARCHES + " search paths"));
        }
        if (String.join(" ", searches).length() > MAX_SEARCH_CHARS) {
            errors.add(FieldError.invalid("spec.dnsConfig.searches", searches,
                    "must not have more than " + MAX_SEARCH_CHARS + " characters (including spaces) in the search list"));
        }
        for (int i = 0; i < searches.size(); i++) {
            String s = searches.get(i);
            String bare = s.endsWith(".") && s.length() > 1 ? s.substring(0, s.length() - 1) : s;
            if (!".".equals(s) && (bare.length() > MAX_SEARCH_ENTRY || !SEARCH.matcher(bare).matches())) {
                errors.add(FieldError.invalid("spec.dnsConfig.searches[" + i + "]", s,
                        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.',"
                                + " and must start and end with an alphanumeric character"));
            }
        }
        for (int i = 0; i < dnsConfig.options().size(); i++) {
            PodDNSConfig.Option op = dnsConfig.options().get(i);
            if (op.name() == null || op.name().isEmpty()) {
                errors.add(FieldError.required("spec.dnsConfig.options[" + i + "]", "Option.Name must not be empty"));
            }
        }
        return errors;
    }
}
