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
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    // Bad input is reported in one line, not a stack trace.
                    cmd.getErr().println("clusterdns " + cmd.getCommandName() + ": " + ex.getMessage());
                    return 1;
                });
    }
}
