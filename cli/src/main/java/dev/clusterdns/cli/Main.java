package dev.clusterdns.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `clusterdns` command. */
@Command(
        name = "clusterdns",
        mixinStandardHelpOptions = true,
        versionProvider = VersionCommand.Provider.class,
        description = "Kubernetes-style service discovery: cluster DNS, env injection and ClusterIP proxying.",
        subcommands = {
            ServeCommand.class,
            EnvCommand.class,
            ResolvConfCommand.class,
            GetCommand.class,
            DescribeCommand.class,
            ExposeCommand.class,
            KubeconfigCommand.class,
            VersionCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {

    /** kubectl's verbs that write: clusterdns reads manifests instead. */
    private static final java.util.Set<String> WRITES = java.util.Set.of(
            "apply", "create", "delete", "edit", "patch", "replace", "scale", "label", "annotate", "set", "rollout");

    /**
     * An unknown subcommand gets kubectl's short error (and a hint for kubectl's write verbs), not the
     * whole usage; other bad arguments get picocli's message and the subcommand's usage.
     */
    static int badArguments(CommandLine.ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        java.io.PrintWriter err = cmd.getErr();
        if (ex instanceof CommandLine.UnmatchedArgumentException u && cmd.getParent() == null
                && !u.getUnmatched().isEmpty() && !u.getUnmatched().get(0).startsWith("-")) {
            String word = u.getUnmatched().get(0);
            err.println("error: unknown command \"" + word + "\" for \"clusterdns\"");
            if (WRITES.contains(word)) {
                err.println();
                err.println("clusterdns is read-only: objects come from manifest files (edit them; serve reloads them),");
                err.println("and `kubectl " + word + "` against it is refused with the file to edit.");
            } else {
                CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            }
            err.println();
            err.println("Run 'clusterdns --help' for usage.");
            return 2;
        }
        err.println("clusterdns " + cmd.getCommandName() + ": " + ex.getMessage());
        if (!CommandLine.UnmatchedArgumentException.printSuggestions(ex, err)) {
            err.println("Run 'clusterdns " + (cmd.getParent() == null ? "" : cmd.getCommandName() + " ") + "--help' for usage.");
        }
        return 2;
    }

    public static void main(String[] args) {
        CommandLine cli = commandLine();
        String[] expanded;
        try {
            expanded = ConfigFile.expand(cli, args);
        } catch (RuntimeException e) {
            System.err.println("clusterdns: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(cli.execute(expanded));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setParameterExceptionHandler(Main::badArguments)
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    // Bad input is reported in one line, not a stack trace.
                    cmd.getErr().println("clusterdns " + cmd.getCommandName() + ": " + ex.getMessage());
                    return 1;
                });
    }
}
