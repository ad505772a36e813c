package dev.clusterdns.agent.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The split agrees with the YAML parser on how many documents a stream holds and what each says. */
class YamlDocumentsTest {
    private static final YAMLMapper YAML = new YAMLMapper();

    @Test
    void splitsAsTheParserCountsDocuments() throws Exception {
        for (String text : List.of("a: 1\n", "", "# only a comment\n", "a: 1\n---\n---\nb: 2\n", "# c\n---\na: 1\n",
                "a: 1\n---\n", "---\n# only\n---\nb: 2\n", "a: 1\n---   \nb: 2\n---  # x\nc: 3\n", "---\na: 1\n",
                "\n\n---\na: |\n  text\n  more\nb: 2\n---\nc: 3", "a: 1\r\n---\r\nb: 2\r\n", "k: '---'\n---\nv: ' ---'\n")) {
            assertEquals(parsed(text), viaSplit(text), text);
        }
    }

    @Test
    void aBufferSplitsAsItsFirstLengthBytes() {
        // An edit reads into a kept buffer: what an earlier, longer file left after the length is ignored.
        for (String text : List.of("a: 1\n", "", "a: 1\n---\n---\nb: 2\n", "\n\n---\na: |\n  text\nb: 2\n---\nc: 3",
                "%YAML 1.2\n---\na: 1\n")) {
            byte[] exact = text.getBytes(StandardCharsets.UTF_8);
            byte[] buffer = (text + "\n---\nleft: over\n...\n").getBytes(StandardCharsets.UTF_8);
            int[] want = YamlDocuments.split(exact);
            int[] got = YamlDocuments.split(buffer, exact.length);
            assertEquals(want == null ? null : java.util.Arrays.toString(want), got == null ? null : java.util.Arrays.toString(got), text);
        }
    }

    @Test
    void declinesWhatItDoesNotModel() {
        for (String text : List.of("%YAML 1.2\n---\na: 1\n", "a: 1\n...\n---\nb: 2\n", "--- a: 1\n", "---|\n x\n",
                "\ufeffa: 1\n---\nb: 2\n", "a: 1\n--- !!map\nb: 2\n")) {
            assertNull(YamlDocuments.split(text.getBytes(StandardCharsets.UTF_8)), text);
        }
    }

    @Test
    void digestsDifferWhenTheTextDoes() {
        byte[] a = "a: 1\n".getBytes(StandardCharsets.UTF_8);
        byte[] b = "a: 2\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(YamlDocuments.digest(a, 0, a.length), YamlDocuments.digest(a.clone(), 0, a.length));
        org.junit.jupiter.api.Assertions.assertNotEquals(YamlDocuments.digest(a, 0, a.length), YamlDocuments.digest(b, 0, b.length));
    }

    /** Each document the parser reads, as text (null for an empty one). */
    private static List<String> parsed(String text) throws Exception {
        List<String> out = new ArrayList<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(text)) {
            while (it.hasNextValue()) {
                JsonNode n = it.nextValue();
                out.add(n == null || n.isNull() || n.isMissingNode() ? null : n.toString());
            }
        }
        return out;
    }

    /** Each segment parsed on its own: what the parser sees when handed one document. */
    private static List<String> viaSplit(String text) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int[] seg = YamlDocuments.split(bytes);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < seg.length; i += 2) {
            List<String> one = parsed(new String(bytes, seg[i], seg[i + 1] - seg[i], StandardCharsets.UTF_8));
            if (one.size() > 1) {
                throw new AssertionError("segment holds " + one.size() + " documents");
            }
            out.add(one.isEmpty() ? null : one.get(0));
        }
        // The parser reads no document from a stream of blanks and comments: one empty segment then.
        return parsed(text).isEmpty() && out.equals(java.util.Arrays.asList((String) null)) ? List.of() : out;
    }
}
