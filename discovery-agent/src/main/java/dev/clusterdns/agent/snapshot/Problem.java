package dev.clusterdns.agent.snapshot;

/**
 * Bad input found while building a snapshot: which file (or source), which object, and what is
 * wrong, in kubectl's words. The object it names is left out; everything else serves.
 *
 * @param source the file (or `api`) the object came from, with the document index when known
 * @param object `Kind namespace/name`, or empty when the file itself could not be read
 * @param message the error text, e.g. `The Service "web" is invalid: spec.ports[0].port: ...`
 */
public record Problem(String source, String object, String message) {
    @Override
    public String toString() {
        return source + (object == null || object.isEmpty() ? "" : ": " + object) + ": " + message;
    }
}
