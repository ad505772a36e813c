package dev.clusterdns.cli.kubectl;

import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.Endpoints;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What `describe service` prints from the model (the `get` columns are in {@link Columns}). */
public final class Views {
    private Views() {}

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

}
