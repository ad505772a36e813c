package dev.clusterdns.cli.serve;

import java.nio.file.Path;

/**
 * Where the repository (or install) is: the `./clusterdns` launcher passes it as the system property
 * `clusterdns.home` and stays in the caller's directory, so paths a user types are relative to where
 * they are, while the defaults (`examples/manifests`, `zonefiles`) are found wherever they run it from.
 */
public final class InstallHome {
    private InstallHome() {}

    /** {@code relative} under the install home (under the working directory when no home is set). */
    public static Path resolve(String first, String... more) {
        String home = System.getProperty("clusterdns.home", "");
        Path p = Path.of(first, more);
        return home.isEmpty() ? p : Path.of(home).resolve(p);
    }
}
