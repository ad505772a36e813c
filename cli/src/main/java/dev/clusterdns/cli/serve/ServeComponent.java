package dev.clusterdns.cli.serve;

/**
 * A part `serve` runs beside the agent (DNS, proxy, env writer). Each is a picocli mixin holding its
 * own flags; `start` binds what it needs and returns a handle that stops it on shutdown.
 */
public interface ServeComponent {
    AutoCloseable start(ServeContext context) throws Exception;
}
