package dev.clusterdns.cli.kubectl;

import dev.clusterdns.agent.model.EndpointPort;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Ingress;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.model.ServicePort;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What kubectl prints for Ingresses: the `get` cells and the `describe` text. */
public final class IngressViews {
    private IngressViews() {}

    private static final int LOAD_BALANCER_WIDTH = 16;

    /** CLASS: `spec.ingressClassName` or `<none>` (kubectl does not read the legacy annotation here). */
    public static String className(Ingress i) {
        String c = i.spec().ingressClassName();
        return c == null || c.isEmpty() ? "<none>" : c;
    }

    /** HOSTS: the rules' hosts, three at most then `+ N more...`; `*` when no rule has one. */
    public static String hosts(Ingress i) {
        List<String> hosts = new ArrayList<>();
        for (Ingress.Rule r : i.spec().rules()) {
            if (r.host() != null && !r.host().isEmpty()) {
                hosts.add(r.host());
            }
        }
        if (hosts.isEmpty()) {
            return "*";
        }
        if (hosts.size() <= 3) {
            return String.join(",", hosts);
        }
        return String.join(",", hosts.subList(0, 3)) + " + " + (hosts.size() - 3) + " more...";
    }

    /** ADDRESS: the status IPs and host names, cut to 16 characters unless wide. */
    public static String address(Ingress i, boolean wide) {
        List<String> out = new ArrayList<>();
        if (i.status() != null && i.status().loadBalancer() != null) {
            for (Ingress.LoadBalancerIngress lb : i.status().loadBalancer().ingress()) {
                if (lb.ip() != null && !lb.ip().isEmpty()) {
                    out.add(lb.ip());
                } else if (lb.hostname() != null && !lb.hostname().isEmpty()) {
                    out.add(lb.hostname());
                }
            }
        }
        String r = String.join(",", out);
        if (!wide && r.length() > LOAD_BALANCER_WIDTH) {
            r = r.substring(0, LOAD_BALANCER_WIDTH - 3) + "...";
        }
        return r;
    }

    /** PORTS: `80`, or `80, 443` with TLS. */
    public static String ports(Ingress i) {
        return i.spec().tls().isEmpty() ? "80" : "80, 443";
    }

    /** The Service and slices a backend names, as `describe` looks them up (null when missing). */
    public interface Lookup {
        Service service(String namespace, String name);

        List<EndpointSlice> slices(String namespace, String service);
    }

    /** `kubectl describe ingress`. */
    public static String describe(Ingress i, Lookup lookup) {
        List<String[]> head = new ArrayList<>();
        head.add(new String[] {"Name:", i.name()});
        List<String> labels = sorted(i.metadata().labels(), "=");
        head.add(new String[] {"Labels:", labels.isEmpty() ? "<none>" : labels.get(0)});
        for (int k = 1; k < labels.size(); k++) {
            head.add(new String[] {"", labels.get(k)});
        }
        head.add(new String[] {"Namespace:", i.namespace()});
        head.add(new String[] {"Address:", address(i, true)});
        head.add(new String[] {"Ingress Class:", className(i)});
        String dflt = i.spec().defaultBackend() == null ? "<default>" : backend(i.namespace(), i.spec().defaultBackend(), lookup);
        head.add(new String[] {"Default backend:", dflt});
        StringBuilder sb = new StringBuilder();
        columns(sb, head);
        if (!i.spec().tls().isEmpty()) {
            sb.append("TLS:\n");
            for (Ingress.TLS t : i.spec().tls()) {
                String hosts = String.join(",", t.hosts());
                sb.append("  ").append(t.secretName() == null || t.secretName().isEmpty()
                        ? "SNI routes " + hosts : t.secretName() + " terminates " + hosts).append('\n');
            }
        }
        sb.append("Rules:\n");
        List<String[]> rules = new ArrayList<>();
        rules.add(new String[] {"  Host", "Path", "Backends"});
        rules.add(new String[] {"  ----", "----", "--------"});
        int count = 0;
        for (Ingress.Rule r : i.spec().rules()) {
            if (r.http() == null) {
                continue;
            }
            count++;
            rules.add(new String[] {"  " + (r.host() == null || r.host().isEmpty() ? "*" : r.host()), ""});
            for (Ingress.HttpPath p : r.http().paths()) {
                rules.add(new String[] {"    ", (p.path() == null ? "" : p.path()) + " ",
                        backend(i.namespace(), p.backend(), lookup)});
            }
        }
        if (count == 0) {
            rules.add(new String[] {"  *", "*", dflt});
        }
        columns(sb, rules);
        List<String[]> tail = new ArrayList<>();
        List<String> annotations = sorted(i.metadata().annotations(), ": ");
        tail.add(new String[] {"Annotations:", annotations.isEmpty() ? "<none>" : annotations.get(0)});
        for (int k = 1; k < annotations.size(); k++) {
            tail.add(new String[] {"", annotations.get(k)});
        }
        tail.add(new String[] {"Events:", "<none>"});
        columns(sb, tail);
        return sb.toString();
    }

    /** `svc:port (ip:port,ip:port)`, as kubectl describes a Service backend. */
    static String backend(String ns, Ingress.Backend b, Lookup lookup) {
        if (b.resource() != null) {
            Ingress.TypedLocalObjectReference r = b.resource();
            return "APIGroup: " + (r.apiGroup() == null ? "<none>" : r.apiGroup()) + ", Kind: " + r.kind() + ", Name: " + r.name();
        }
        Ingress.ServiceBackend s = b.service();
        String sb = s.name() + ":" + s.port();
        Service svc = lookup.service(ns, s.name());
        if (svc == null) {
            return sb + " (<error: services \"" + s.name() + "\" not found>)";
        }
        String portName = "";
        for (ServicePort sp : svc.spec().ports()) {
            boolean byName = s.port().name() != null && !s.port().name().isEmpty() && s.port().name().equals(sp.name());
            boolean byNumber = s.port().number() != 0 && sp.port() != null && s.port().number() == sp.port();
            if (byName || byNumber) {
                portName = sp.name() == null ? "" : sp.name();
            }
        }
        List<String> eps = new ArrayList<>();
        for (EndpointSlice slice : lookup.slices(ns, s.name())) {
            for (EndpointPort ep : slice.ports()) {
                if (!portName.equals(ep.name() == null ? "" : ep.name())) {
                    continue;
                }
                for (EndpointSlice.Endpoint e : slice.endpoints()) {
                    if (e.isReady()) {
                        for (String ip : e.addresses()) {
                            eps.add(Views.hostPort(ip, ep.port()));
                        }
                    }
                }
            }
        }
        String list = eps.isEmpty() ? "<none>" : eps.size() <= 3 ? String.join(",", eps)
                : String.join(",", eps.subList(0, 3)) + " + " + (eps.size() - 3) + " more...";
        return sb + " (" + list + ")";
    }

    private static List<String> sorted(Map<String, String> m, String sep) {
        return new TreeMap<>(m).entrySet().stream().map(e -> e.getKey() + sep + e.getValue()).toList();
    }

    /**
     * Go's tabwriter as kubectl uses it (padding 2): cells of consecutive rows that have them line
     * up; a row with fewer cells (a null cell) ends the columns after it. The last cell of a row is
     * free text; trailing blanks are dropped.
     */
    static void columns(StringBuilder sb, List<String[]> rows) {
        int n = rows.size();
        String[][] cells = new String[n][];
        for (int r = 0; r < n; r++) {
            String[] row = rows.get(r);
            int len = row.length;
            for (int c = 0; c < row.length; c++) {
                if (row[c] == null) {
                    len = c;
                    break;
                }
            }
            cells[r] = java.util.Arrays.copyOf(row, len);
        }
        int[][] width = new int[n][];
        for (int r = 0; r < n; r++) {
            width[r] = new int[cells[r].length];
        }
        // Column c of row r is aligned within the run of adjacent rows that have a cell c and a later one.
        int maxCols = 0;
        for (String[] c : cells) {
            maxCols = Math.max(maxCols, c.length);
        }
        for (int c = 0; c < maxCols; c++) {
            int r = 0;
            while (r < n) {
                if (cells[r].length <= c + 1) {
                    r++;
                    continue;
                }
                int start = r;
                int w = 0;
                while (r < n && cells[r].length > c + 1) {
                    w = Math.max(w, cells[r][c].length());
                    r++;
                }
                for (int k = start; k < r; k++) {
                    width[k][c] = w + 2;
                }
            }
        }
        for (int r = 0; r < n; r++) {
            StringBuilder line = new StringBuilder();
            String[] row = cells[r];
            for (int c = 0; c < row.length; c++) {
                line.append(row[c]);
                if (c < row.length - 1) {
                    line.append(" ".repeat(width[r][c] - row[c].length()));
                }
            }
            int end = line.length();
            while (end > 0 && line.charAt(end - 1) == ' ') {
                end--;
            }
            sb.append(line, 0, end).append('\n');
        }
    }
}
