package dev.clusterdns.agent.manifest;

import dev.clusterdns.agent.snapshot.Problem;
import java.util.List;

/**
 * What one file yielded: its objects, and its problems (objects that could not be read, unknown
 * kinds). {@code unreadable} is set when the file as a whole did not parse (YAML syntax error): the
 * agent then keeps the file's last good objects.
 */
public record ManifestFile(List<Manifest> manifests, List<Problem> problems, boolean unreadable) {
    public ManifestFile {
        manifests = List.copyOf(manifests);
        problems = List.copyOf(problems);
    }
}
