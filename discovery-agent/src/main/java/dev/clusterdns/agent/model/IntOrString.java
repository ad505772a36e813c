package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** Kubernetes' int-or-string (a Service port's `targetPort`): a number, or a container port name. */
public record IntOrString(Integer intValue, String stringValue) {

    public IntOrString {
        if ((intValue == null) == (stringValue == null)) {
            throw new IllegalArgumentException("exactly one of intValue and stringValue must be set");
        }
    }

    @JsonCreator
    public static IntOrString of(int value) {
        return new IntOrString(value, null);
    }

    @JsonCreator
    public static IntOrString of(String value) {
        return new IntOrString(null, value);
    }

    public boolean isInt() {
        return intValue != null;
    }

    @JsonValue
    public Object value() {
        return isInt() ? intValue : stringValue;
    }

    @Override
    public String toString() {
        return String.valueOf(value());
    }
}
