package dev.clusterdns.proxy.table;

/** A bound listener serving one {@link Route}; the route is swapped in place on every new table. */
public interface Frontend {

    /** Installs the route used by new connections (established ones keep their backend). */
    void route(Route route);

    /** Unbinds the listener; established TCP connections stay up. */
    void close();
}
