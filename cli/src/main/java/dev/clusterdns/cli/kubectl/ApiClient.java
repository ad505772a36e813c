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

/** Reads the read API of a running `clusterdns serve`. */
public final class ApiClient {
    private final URI server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    private final ObjectMapper json = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    public ApiClient(String server) {
        this.server = URI.create(server.endsWith("/") ? server.substring(0, server.length() - 1) : server);
    }

    public ObjectMapper json() {
        return json;
    }

    /** GET a list, optionally in one namespace and filtered by a label selector. */
    public JsonNode list(String group, String plural, String namespace, String selector) throws IOException {
        String base = group.equals("v1") ? "/api/v1" : "/apis/" + group;
        String path = base + (namespace == null ? "" : "/namespaces/" + namespace) + "/" + plural;
        if (selector != null && !selector.isEmpty()) {
            path += "?labelSelector=" + URLEncoder.encode(selector, StandardCharsets.UTF_8);
        }
        return get(path);
    }

    public JsonNode get(String path) throws IOException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(server + path)).timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> resp;
        try {
            resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (ConnectException e) {
            throw new IOException("The connection to the server " + server.getAuthority()
                    + " was refused - is `clusterdns serve` running there? (use --server URL)");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        }
        JsonNode body = json.readTree(resp.body());
        if (resp.statusCode() != 200) {
            throw new IOException("Error from server (" + body.path("reason").asText("Error") + "): "
                    + body.path("message").asText(resp.body()));
        }
        return body;
    }
}
