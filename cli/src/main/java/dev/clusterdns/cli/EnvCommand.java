package dev.clusterdns.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "env", description = "Not implemented yet.")
final class EnvCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("clusterdns env: not implemented yet");
        return 2;
    }
}
