package dev.clusterdns.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "describe", description = "Not implemented yet.")
final class DescribeCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("clusterdns describe: not implemented yet");
        return 2;
    }
}
