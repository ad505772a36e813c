package dev.clusterdns.cli.kubectl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JsonPathTemplateTest {
    private final JsonNode list = parse("""
            {"kind":"List","items":[
              {"metadata":{"name":"a"},"spec":{"clusterIP":"10.0.0.1","ports":[{"port":80},{"port":443}]}},
              {"metadata":{"name":"b"},"spec":{"clusterIP":"10.0.0.2","ports":[{"port":53}]}}]}
            """);

    private static JsonNode parse(String s) {
        try {
            return new ObjectMapper().readTree(s);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String apply(String t) {
        return new JsonPathTemplate(t).apply(list);
    }

    @Test
    void pathsIndexesAndWildcards() {
        assertEquals("a b", apply("{.items[*].metadata.name}"));
        assertEquals("10.0.0.2", apply("{.items[1].spec.clusterIP}"));
        assertEquals("10.0.0.2", apply("{.items[-1].spec.clusterIP}"));
        assertEquals("80 443 53", apply("{.items[*].spec.ports[*].port}"));
        assertEquals("List", apply("{$.kind}"));
        assertEquals("", apply("{.nope}"));
    }

    @Test
    void rangeAndLiterals() {
        assertEquals("a=10.0.0.1\nb=10.0.0.2\n", apply("{range .items[*]}{.metadata.name}={.spec.clusterIP}{\"\\n\"}{end}"));
        assertEquals("name: a", apply("name: {.items[0].metadata.name}"));
    }

    @Test
    void badTemplatesSayWhy() {
        assertThrows(IllegalArgumentException.class, () -> apply("{.items[0"));
        assertThrows(IllegalArgumentException.class, () -> apply("{range .items[*]}x"));
    }

    @Test
    void describeWordsAsKubectl() {
        assertEquals("Creation Timestamp", GenericDescription.words("creationTimestamp"));
        assertEquals("Pod IP", GenericDescription.words("podIP"));
        assertEquals("Cluster I Ps", GenericDescription.words("clusterIPs"));
        assertEquals("UID", GenericDescription.words("uid"));
        assertEquals("PDF Loader", GenericDescription.words("PDFLoader"));
        assertEquals("kubernetes.io/name", GenericDescription.words("kubernetes.io/name"));
    }
}
