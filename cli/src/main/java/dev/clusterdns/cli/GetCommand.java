package dev.clusterdns.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "get", description = "Not implemented yet.")
final class GetCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("clusterdns get: not implemented yet");
        return 2;
    }
}
