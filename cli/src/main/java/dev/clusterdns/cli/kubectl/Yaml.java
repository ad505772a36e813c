package dev.clusterdns.cli.kubectl;

import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/** YAML as kubectl prints it: no document marker, quotes only where needed. */
public final class Yaml {
    private Yaml() {}

    public static YAMLMapper mapper() {
        YAMLMapper m = new YAMLMapper();
        m.disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER);
        m.enable(YAMLGenerator.Feature.MINIMIZE_QUOTES);
        return m;
    }
}
