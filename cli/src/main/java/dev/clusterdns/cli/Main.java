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
            VersionCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
    }
}
