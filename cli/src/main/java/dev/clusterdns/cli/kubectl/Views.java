package dev.clusterdns.cli.kubectl;

import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.Endpoints;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The cells kubectl prints for Services, Endpoints and Pods. */
public final class Views {
    private Views() {}

    public static String clusterIp(Service s) {
        if (s.isExternalName()) {
            return "<none>";
        }
        String ip = s.spec().clusterIP();
        return ip == null || ip.isEmpty() ? "<none>" : ip;
    }

    public static String externalIp(Service s) {
        if (s.isExternalName()) {
            return s.spec().externalName();
        }
        List<String> ips = new ArrayList<>(s.spec().externalIPs());
        if (Service.TYPE_LOAD_BALANCER.equals(s.spec().type())) {
            List<String> lb = s.loadBalancerIPs();
            if (lb.isEmpty() && ips.isEmpty()) {
                return "<pending>";
            }
            ips.addAll(lb);
        }
        return ips.isEmpty() ? "<none>" : String.join(",", ips);
    }

    /** `80/TCP`, `80:30026/TCP`, joined by commas; `<none>` without ports. */
    public static String ports(Service s) {
        List<String> out = new ArrayList<>();
        for (ServicePort p : s.spec().ports()) {
            String np = p.nodePort() == null || p.nodePort() == 0 ? "" : ":" + p.nodePort();
            out.add(p.port() + np + "/" + p.protocolOrTcp());
        }
        return out.isEmpty() ? "<none>" : String.join(",", out);
    }

    public static String selector(Map<String, String> selector) {
        if (selector == null || selector.isEmpty()) {
            return "<none>";
        }
        return labels(selector);
    }

    public static String labels(Map<String, String> labels) {
        if (labels == null || labels.isEmpty()) {
            return "<none>";
        }
        List<String> out = new ArrayList<>();
        new TreeMap<>(labels).forEach((k, v) -> out.add(k + "=" + v));
        return String.join(",", out);
    }

    /** `10.244.2.5:80,10.244.3.4:80 + 1 more...` as `kubectl get endpoints` prints (3 at most). */
    public static String endpoints(Endpoints e, String portName) {
        List<String> all = new ArrayList<>();
        for (Endpoints.Subset subset : e.subsets()) {
            List<EndpointPort> ports = subset.ports();
            if (ports.isEmpty()) {
                subset.addresses().forEach(a -> all.add(a.ip()));
                continue;
            }
            for (EndpointPort p : ports) {
                if (portName != null && !portName.equals(p.name() == null ? "" : p.name())) {
                    continue;
                }
                for (Endpoints.Address a : subset.addresses()) {
                    all.add(hostPort(a.ip(), p.port()));
                }
            }
        }
        return limit(all, portName == null ? 3 : Integer.MAX_VALUE);
    }

    private static String limit(List<String> all, int max) {
        if (all.isEmpty()) {
            return "<none>";
        }
        if (all.size() <= max) {
            return String.join(",", all);
        }
        return String.join(",", all.subList(0, max)) + " + " + (all.size() - max) + " more...";
    }

    static String hostPort(String ip, Integer port) {
        String host = ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip;
        return port == null ? host : host + ":" + port;
    }

    public static String podReady(Pod p) {
        int n = Math.max(1, p.spec().containers().size());
        return (p.isReady() ? n : 0) + "/" + n;
    }

    public static String podStatus(Pod p) {
        if (p.isTerminating()) {
            return "Terminating";
        }
        String phase = p.status().phase();
        return phase == null || phase.isEmpty() ? "Pending" : phase;
    }
}
