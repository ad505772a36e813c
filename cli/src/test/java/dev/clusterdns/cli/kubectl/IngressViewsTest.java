package dev.clusterdns.cli.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.clusterdns.agent.model.EndpointSlice;
import dev.clusterdns.agent.model.Ingress;
import dev.clusterdns.agent.model.Service;
import java.util.List;
import org.junit.jupiter.api.Test;

/** `get ingress` cells and `describe ingress` text as kubectl prints them. */
class IngressViewsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private static <T> T read(String yaml, Class<T> type) throws Exception {
        return YAML.readValue(yaml, type);
    }

    private static final String TUTORIAL = """
            metadata:
              name: nginx-ingress
              namespace: default
              annotations: {kubernetes.io/ingress.class: traefik}
            spec:
              rules:
              - http:
                  paths:
                  - path: /
                    pathType: Prefix
                    backend: {service: {name: nginx-service, port: {number: 80}}}
            status:
              loadBalancer:
                ingress: [{ip: 127.0.0.1}]
            """;

    private final IngressViews.Lookup lookup = new IngressViews.Lookup() {
        @Override
        public Service service(String namespace, String name) {
            try {
                return name.equals("nginx-service") ? read("""
                        metadata: {name: nginx-service, namespace: default}
                        spec: {ports: [{name: name-of-service-port, port: 80, targetPort: http-web-svc}]}
                        """, Service.class) : null;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public List<EndpointSlice> slices(String namespace, String service) {
            try {
                return service.equals("nginx-service") ? List.of(read("""
                        metadata: {name: nginx-service-abc, namespace: default, labels: {kubernetes.io/service-name: nginx-service}}
                        addressType: IPv4
                        ports: [{name: name-of-service-port, port: 80}]
                        endpoints:
                        - addresses: [127.244.3.11]
                        - addresses: [127.244.3.12]
                        - addresses: [127.244.3.13]
                          conditions: {ready: false}
                        """, EndpointSlice.class)) : List.of();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    };

    @Test
    void getColumns() throws Exception {
        Ingress i = read(TUTORIAL, Ingress.class);
        assertEquals("<none>", IngressViews.className(i));
        assertEquals("*", IngressViews.hosts(i));
        assertEquals("127.0.0.1", IngressViews.address(i, false));
        assertEquals("80", IngressViews.ports(i));
        Ingress many = read("""
                metadata: {name: m}
                spec:
                  ingressClassName: nginx
                  tls: [{hosts: [a.test]}]
                  rules: [{host: a.test}, {host: b.test}, {host: c.test}, {host: d.test}]
                status: {loadBalancer: {ingress: [{ip: 192.168.100.101}, {ip: 192.168.100.102}]}}
                """, Ingress.class);
        assertEquals("nginx", IngressViews.className(many));
        assertEquals("a.test,b.test,c.test + 1 more...", IngressViews.hosts(many));
        assertEquals("80, 443", IngressViews.ports(many));
        assertEquals("192.168.100.1...", IngressViews.address(many, false));
        assertEquals("192.168.100.101,192.168.100.102", IngressViews.address(many, true));
    }

    @Test
    void describeTheTutorialIngress() throws Exception {
        assertEquals("""
                Name:             nginx-ingress
                Labels:           <none>
                Namespace:        default
                Address:          127.0.0.1
                Ingress Class:    <none>
                Default backend:  <default>
                Rules:
                  Host  Path  Backends
                  ----  ----  --------
                  *
                        /   nginx-service:80 (127.244.3.11:80,127.244.3.12:80)
                Annotations:  kubernetes.io/ingress.class: traefik
                Events:       <none>
                """, IngressViews.describe(read(TUTORIAL, Ingress.class), lookup));
    }

    @Test
    void describeWithHostsTlsAndAMissingService() throws Exception {
        Ingress i = read("""
                metadata: {name: shop, namespace: default, labels: {app: shop, tier: web}}
                spec:
                  ingressClassName: clusterdns
                  defaultBackend: {service: {name: nginx-service, port: {name: name-of-service-port}}}
                  tls: [{hosts: [app.example.com], secretName: shop-tls}, {hosts: [sni.example.com]}]
                  rules:
                  - host: app.example.com
                    http:
                      paths:
                      - {path: /cart, pathType: Prefix, backend: {service: {name: cart, port: {number: 8080}}}}
                      - {path: /, pathType: Prefix, backend: {service: {name: nginx-service, port: {number: 80}}}}
                """, Ingress.class);
        assertEquals("""
                Name:             shop
                Labels:           app=shop
                                  tier=web
                Namespace:        default
                Address:
                Ingress Class:    clusterdns
                Default backend:  nginx-service:name-of-service-port (127.244.3.11:80,127.244.3.12:80)
                TLS:
                  shop-tls terminates app.example.com
                  SNI routes sni.example.com
                Rules:
                  Host             Path  Backends
                  ----             ----  --------
                  app.example.com
                                   /cart   cart:8080 (<error: services "cart" not found>)
                                   /       nginx-service:80 (127.244.3.11:80,127.244.3.12:80)
                Annotations:  <none>
                Events:       <none>
                """, IngressViews.describe(i, lookup));
    }
}
