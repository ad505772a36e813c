package dev.clusterdns.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * `--config FILE`: a YAML map whose keys are the long flag names without dashes
 * (`dns-listen: ["127.0.0.1:1053"]`, `ttl: 30`, `autopath: true`). Each key becomes the flag it names
 * unless that flag is on the command line (flags win). Keys that name no flag are structured
 * settings read by the parts that need them (e.g. `stubDomains`).
 */
public final class ConfigFile {
    private ConfigFile() {}

    /** Reads a config file; the error names the file and what is wrong. */
    public static JsonNode read(Path file) {
        try {
            JsonNode tree = new YAMLMapper().readTree(Files.readString(file));
            if (tree == null || tree.isMissingNode() || tree.isNull()) {
                return JsonNodeFactory.instance.objectNode();
            }
            if (!tree.isObject()) {
                throw new IllegalArgumentException("--config " + file + ": expected a YAML map of flag names to values");
            }
            return tree;
        } catch (IOException e) {
            throw new IllegalArgumentException("--config " + file + ": " + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }

    /** The arguments with the config file's settings added in front of them. */
    static String[] expand(CommandLine root, String[] args) {
        Path file = configPath(args);
        if (file == null) {
            return args;
        }
        String sub = null;
        for (String a : args) {
            if (!a.startsWith("-")) {
                sub = a;
                break;
            }
        }
        Map<String, CommandLine> subs = root.getSubcommands();
        if (sub == null || !subs.containsKey(sub)) {
            return args;
        }
        CommandSpec spec = subs.get(sub).getCommandSpec();
        JsonNode tree = read(file);
        List<String> extra = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String flag = "--" + e.getKey();
            CommandLine.Model.OptionSpec option = spec.findOption(flag);
            if (option == null || flag.equals("--config") || given(args, flag)) {
                continue;
            }
            JsonNode v = e.getValue();
            if (option.typeInfo().isBoolean()) {
                if (v.asBoolean()) {
                    extra.add(flag);
                }
            } else if (v.isArray()) {
                v.forEach(item -> {
                    extra.add(flag);
                    extra.add(item.asText());
                });
            } else {
                extra.add(flag);
                extra.add(v.asText());
            }
        }
        List<String> out = new ArrayList<>();
        boolean inserted = false;
        for (String a : args) {
            out.add(a);
            if (!inserted && a.equals(sub)) {
                out.addAll(extra);
                inserted = true;
            }
        }
        return out.toArray(String[]::new);
    }

    static Path configPath(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                return null;
            }
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        return null;
    }

    private static boolean given(String[] args, String flag) {
        for (String a : args) {
            if (a.equals("--")) {
                return false;
            }
            if (a.equals(flag) || a.startsWith(flag + "=")) {
                return true;
            }
        }
        return false;
    }
}
