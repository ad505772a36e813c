package dev.clusterdns.proxy.table;

/** The L4 protocols the proxy serves (SCTP Service ports are skipped). */
public enum Protocol {
    TCP,
    UDP
}
