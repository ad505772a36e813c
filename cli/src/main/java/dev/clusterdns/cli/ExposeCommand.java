package dev.clusterdns.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "expose", description = "Not implemented yet.")
final class ExposeCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("clusterdns expose: not implemented yet");
        return 2;
    }
}
