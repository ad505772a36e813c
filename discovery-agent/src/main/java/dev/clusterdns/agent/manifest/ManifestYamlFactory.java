package dev.clusterdns.agent.manifest;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactoryBuilder;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.CharArrayReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.nodes.NodeId;
import org.yaml.snakeyaml.nodes.Tag;
import org.yaml.snakeyaml.resolver.Resolver;

/**
 * Jackson's YAML factory, whose parsers resolve each distinct plain scalar once. Jackson asks
 * SnakeYAML's {@link Resolver} for the type of every unquoted value (is `ns-000` null? a boolean?
 * `10.128.0.7` an int, a float, a timestamp?), a series of regular expressions each time; in a
 * file of a thousand Pods the same few values (namespace, protocol, port) come back on every
 * object. The answer depends on the text alone, so each parser remembers it; a value whose first
 * character no implicit type can start with is a string without asking. Everything else (the
 * tokens, numbers' parsing, errors) is Jackson's own.
 */
final class ManifestYamlFactory extends YAMLFactory {

    /** The first characters the resolver's implicit types (bool, int, float, null, ...) start with. */
    private static final Set<Character> TYPED_FIRST_CHARS = new Resolver() {
        Set<Character> firstChars() {
            // A resolver registered without a first character applies to every value (null key).
            return yamlImplicitResolvers.containsKey(null) ? null : Set.copyOf(yamlImplicitResolvers.keySet());
        }
    }.firstChars();

    ManifestYamlFactory(YAMLFactoryBuilder builder) {
        super(builder);
    }

    @Override
    protected YAMLParser _createParser(InputStream in, IOContext ctxt) throws IOException {
        return new Parser(ctxt, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, _createReader(in, null, ctxt));
    }

    @Override
    protected YAMLParser _createParser(Reader r, IOContext ctxt) {
        return new Parser(ctxt, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, r);
    }

    @Override
    protected YAMLParser _createParser(char[] data, int offset, int len, IOContext ctxt, boolean recyclable) {
        return new Parser(ctxt, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec,
                new CharArrayReader(data, offset, len));
    }

    @Override
    protected YAMLParser _createParser(byte[] data, int offset, int len, IOContext ctxt) throws IOException {
        return new Parser(ctxt, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec,
                _createReader(data, offset, len, null, ctxt));
    }

    /** A parser that remembers how plain scalars resolved; one per stream, so not shared between threads. */
    static final class Parser extends YAMLParser {
        /** Enough for the values that repeat in a file; unique ones (IPs, names) fill it first. */
        private static final int MAX_REMEMBERED = 4096;

        private final Map<String, Tag> resolved = new HashMap<>();

        Parser(IOContext ctxt, int parserFeatures, int formatFeatures, LoaderOptions loaderOptions, ObjectCodec codec,
               Reader reader) {
            super(ctxt, parserFeatures, formatFeatures, loaderOptions, codec, reader);
        }

        /**
         * As {@link YAMLParser#_decodeScalar}, which resolves untagged scalars with
         * {@code _yamlResolver.resolve(NodeId.scalar, value, implicit)} and maps STR to a string and
         * INT to a number (the other types are left to it).
         */
        @Override
        protected JsonToken _decodeScalar(ScalarEvent scalar) throws IOException {
            String value = scalar.getValue();
            String tag = scalar.getTag();
            if (value.isEmpty() || tag != null && !tag.equals("!")) {
                return super._decodeScalar(scalar);
            }
            Tag type = scalar.getImplicit().canOmitTagInPlainScalar() ? resolvePlain(value) : Tag.STR;
            if (type == Tag.STR) {
                _textValue = value;
                _cleanedTextValue = null;
                return JsonToken.VALUE_STRING;
            }
            if (type == Tag.INT) {
                _textValue = value;
                _cleanedTextValue = null;
                return _decodeNumberScalar(value, value.length());
            }
            return super._decodeScalar(scalar);
        }

        private Tag resolvePlain(String value) {
            if (TYPED_FIRST_CHARS != null && !TYPED_FIRST_CHARS.contains(value.charAt(0))) {
                return Tag.STR;
            }
            Tag type = resolved.get(value);
            if (type == null) {
                type = _yamlResolver.resolve(NodeId.scalar, value, true);
                if (resolved.size() < MAX_REMEMBERED) {
                    resolved.put(value, type);
                }
            }
            return type;
        }
    }
}
