package dev.clusterdns.agent.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The manifest YAML parser, which remembers how plain scalars resolved, gives exactly the tokens,
 * texts and numbers Jackson's own YAML parser gives: for YAML 1.1's typed scalars (booleans, ints
 * in every base, floats, nulls, timestamps, merge keys), quoted and tagged ones, repeated ones (the
 * remembered path) and random ones.
 */
class ManifestYamlFactoryTest {

    private static final List<String> SCALARS = List.of("80", "8080", "-1", "+1", "0", "017", "0o17", "0x1F", "0b101",
            "1_000", "190:20:30", "2147483648", "9223372036854775808", "1e3", "1.5", ".5", "1.", "-.inf", ".Inf", ".NaN",
            "1.10", "6.8523015e+5", "685.230_15e+03", "yes", "Yes", "YES", "no", "on", "Off", "y", "n", "true", "True",
            "TRUE", "false", "~", "null", "Null", "NULL", "<<", "=", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
            "ns-000", "name", "TCP", "True", "Running", "10.128.0.7", "registry.example/app:1.0", "svc-12-3", "http",
            "'80'", "\"yes\"", "'~'", "''", "\"\"", "!!str 80", "!!int '80'", "! 80", "!!bool yes", "!!float 1",
            "!!null ''", "--", "0.", "00", "0xg", "+", "1__0", "ta", "nu", "o");

    @Test
    void tokensEqualJacksonsOwnForTypedQuotedTaggedAndRepeatedScalars() throws Exception {
        StringBuilder doc = new StringBuilder();
        // Twice over, so that the second time every value is answered from what the parser remembered.
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < SCALARS.size(); i++) {
                doc.append("k").append(round).append('_').append(i).append(": ").append(SCALARS.get(i)).append('\n');
            }
            doc.append("list").append(round).append(":\n");
            for (String s : SCALARS) {
                doc.append("- ").append(s).append('\n');
            }
        }
        assertSameTokens(doc.toString());
    }

    @Test
    void tokensEqualJacksonsOwnForRandomScalars() throws Exception {
        Random random = new Random(7);
        String alphabet = "0123456789.-+_:eExXoObBtTyYnNuUlL~<=aAsS ";
        StringBuilder doc = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            StringBuilder v = new StringBuilder();
            int length = 1 + random.nextInt(8);
            for (int c = 0; c < length; c++) {
                v.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String value = v.toString().strip();
            if (value.isEmpty() || value.startsWith("-") && value.length() > 1 && value.charAt(1) == ' ') {
                continue;
            }
            // Unquoted where YAML allows it, else quoted: both paths.
            String text = value.contains(": ") || value.endsWith(":") || value.startsWith("<<") ? "'" + value + "'" : value;
            doc.append("- ").append(text).append('\n');
            doc.append("- ").append(SCALARS.get(random.nextInt(SCALARS.size()))).append('\n');
        }
        assertSameTokens(doc.toString());
    }

    @Test
    void theBenchmarksPodsTokenizeAlike() throws Exception {
        StringBuilder doc = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            doc.append("""
                    apiVersion: v1
                    kind: Pod
                    metadata:
                      name: svc-%d-0
                      namespace: ns-000
                      labels:
                        app: svc-%d
                    spec:
                      containers:
                      - name: app
                        image: registry.example/app:1.0
                        ports:
                        - name: http
                          containerPort: 8080
                          protocol: TCP
                    status:
                      phase: Running
                      podIP: 10.128.0.%d
                      conditions:
                      - type: Ready
                        status: "True"
                    ---
                    """.formatted(i, i, i + 1));
        }
        assertTrue(tokens(new ManifestYamlFactory(YAMLFactory.builder()), doc.toString()).size() > 50 * 30);
        assertSameTokens(doc.toString());
    }

    private static void assertSameTokens(String yaml) throws Exception {
        List<String> expected = tokens(YAMLFactory.builder().enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL).build(), yaml);
        List<String> actual = tokens(new ManifestYamlFactory(YAMLFactory.builder().enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)), yaml);
        assertTrue(expected.size() > 50 && !expected.get(expected.size() - 1).startsWith("error"), expected::toString);
        assertEquals(expected, actual);
    }

    /** Every token with its name, text, and for numbers its type and value; or the error that ended the stream. */
    private static List<String> tokens(YAMLFactory factory, String yaml) throws Exception {
        List<String> out = new ArrayList<>();
        try (JsonParser p = factory.createParser(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))) {
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                StringBuilder sb = new StringBuilder().append(t).append(' ').append(p.currentName()).append(" = ").append(p.getText());
                if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                    try {
                        sb.append(" (").append(p.getNumberType()).append(' ').append(p.getNumberValue()).append(')');
                    } catch (Exception e) {
                        sb.append(" (error: ").append(e.getMessage()).append(')'); // `.inf`, `.nan`: Jackson's own limits
                    }
                }
                out.add(sb.toString());
            }
        } catch (Exception e) {
            out.add("error: " + e.getMessage());
        }
        return out;
    }
}
