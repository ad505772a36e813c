package dev.clusterdns.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "resolvconf", description = "Not implemented yet.")
final class ResolvConfCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("clusterdns resolvconf: not implemented yet");
        return 2;
    }
}
