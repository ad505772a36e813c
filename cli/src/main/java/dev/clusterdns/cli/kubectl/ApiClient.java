package dev.clusterdns.cli.kubectl;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.function.Predicate;
import java.util.stream.Stream;

/** Reads the Kubernetes API of a running `clusterdns serve`, as kubectl does. */
public final class ApiClient {
    /** The Accept header kubectl sends for server-side printing. */
    public static final String TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";

    private final URI server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    /** @param server a URL; `127.0.0.1:9153` without a scheme means http, as kubectl takes it */
    public ApiClient(String server) {
        String s = server.contains("://") ? server : "http://" + server;
        this.server = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
    }

    public ObjectMapper json() {
        return json;
    }

    /** GET a list, optionally in one namespace and filtered by a label selector. */
    public JsonNode list(String group, String plural, String namespace, String selector) throws IOException {
        String base = group.equals("v1") ? "/api/v1" : "/apis/" + group;
        String path = base + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + plural;
        if (selector != null && !selector.isEmpty()) {
            path += "?labelSelector=" + encode(selector);
        }
        return get(path);
    }

    public static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    public JsonNode get(String path) throws IOException {
        return get(path, "application/json");
    }

    public JsonNode get(String path, String accept) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(server + path)).header("Accept", accept)
                .timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> resp = send(req, HttpResponse.BodyHandlers.ofString());
        JsonNode body;
        try {
            body = json.readTree(resp.body());
        } catch (IOException e) {
            throw new IOException("the server at " + server + " did not answer with JSON (HTTP " + resp.statusCode() + ")");
        }
        if (resp.statusCode() != 200) {
            throw new IOException("Error from server (" + body.path("reason").asText("Error") + "): "
                    + body.path("message").asText(resp.body()));
        }
        return body;
    }

    /** Follows a watch: calls {@code event} with each watch event until it returns false or the stream ends. */
    public void watch(String path, String accept, Predicate<JsonNode> event) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(server + path)).header("Accept", accept).build();
        HttpResponse<Stream<String>> resp = send(req, HttpResponse.BodyHandlers.ofLines());
        try (Stream<String> lines = resp.body()) {
            Iterator<String> it = lines.iterator();
            while (it.hasNext()) {
                String line = it.next();
                if (!line.isBlank() && !event.test(json.readTree(line))) {
                    return;
                }
            }
        }
    }

    private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return http.send(req, handler);
        } catch (ConnectException e) {
            throw new IOException("The connection to the server " + server.getAuthority()
                    + " was refused - is `clusterdns serve` running there? (use --server URL)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
    }
}
