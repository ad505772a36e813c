package dev.clusterdns.agent.validation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Rendering of field errors as the API server and kubectl print them. */
class FieldErrorTest {

    @Test
    void badValuesRenderAsApimachineryDoes() {
        assertEquals("70000", FieldError.renderValue(70000));
        assertEquals("true", FieldError.renderValue(true));
        assertEquals("\"Foo_Bar\"", FieldError.renderValue("Foo_Bar"));
        assertEquals("\"a\\\"b\\\\c\\n\\t\\x01\"", FieldError.renderValue("a\"b\\c\n\t\u0001"));
        assertEquals("\"caf\u00e9\"", FieldError.renderValue("caf\u00e9"));
        assertEquals("[\"10.96.0.10\"]", FieldError.renderValue(List.of("10.96.0.10")));
        assertEquals("[\"None\",\"10.96.0.10\"]", FieldError.renderValue(List.of("None", "10.96.0.10")));
        assertEquals("[]", FieldError.renderValue(List.of()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("app", "<web>");
        m.put("n", 3);
        m.put("x", null);
        assertEquals("{\"app\":\"\\u003cweb\\u003e\",\"n\":3,\"x\":null}", FieldError.renderValue(m));
        assertEquals("null", FieldError.renderValue(null));
    }

    @Test
    void typesWithoutValueNeverShowOne() {
        assertEquals("spec.ports: Required value", FieldError.required("spec.ports", "").render());
        assertEquals("spec.x: Forbidden: no", new FieldError("spec.x", FieldError.Type.FORBIDDEN, "v", "no").render());
        assertEquals("metadata.annotations: Too long: must have at most 262144 bytes",
                FieldError.tooLong("metadata.annotations", 262144).render());
        assertEquals("endpoints: Too many: 1001: must have at most 1000 items", FieldError.tooMany("endpoints", 1001, 1000).render());
        assertEquals("spec.x: Duplicate value: \"a\"", FieldError.duplicate("spec.x", "a").render());
        assertEquals("spec.x: Not found: \"a\"", FieldError.notFound("spec.x", "a").render());
        assertEquals("Internal error occurred: failed to allocate a serviceIP: range is full",
                FieldError.internal("", "failed to allocate a serviceIP: range is full").render());
    }

    @Test
    void unsupportedListsTheSupportedValuesQuoted() {
        assertEquals("spec.ports[0].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
                FieldError.unsupported("spec.ports[0].protocol", "HTTP", List.of("SCTP", "TCP", "UDP")).render());
    }

    @Test
    void kubectlOneCauseOnOneLine() {
        assertEquals("The Service \"web\" is invalid: spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
                FieldError.kubectlMessage("Service", "web",
                        List.of(FieldError.invalid("spec.ports[0].port", 0, "must be between 1 and 65535, inclusive"))));
    }

    @Test
    void kubectlSeveralCausesAsBulletLinesAfterAHeaderWithTrailingSpace() {
        List<FieldError> errors = List.of(FieldError.required("spec.ports[0].name", ""),
                FieldError.required("spec.ports[1].name", ""));
        assertEquals("The Service \"web\" is invalid: \n* spec.ports[0].name: Required value\n* spec.ports[1].name: Required value",
                FieldError.kubectlMessage("Service", "web", errors));
    }

    @Test
    void apiMessageBracketsSeveralCausesAndDropsRepeats() {
        FieldError a = FieldError.required("spec.ports[0].name", "");
        FieldError b = FieldError.required("spec.ports[1].name", "");
        assertEquals("Service \"web\" is invalid: spec.ports[0].name: Required value",
                FieldError.apiMessage("Service", "web", List.of(a, a)));
        assertEquals("Service \"web\" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required value]",
                FieldError.apiMessage("Service", "web", List.of(a, b)));
    }
}
