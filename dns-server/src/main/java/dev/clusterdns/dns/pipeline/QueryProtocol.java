package dev.clusterdns.dns.pipeline;

/** How a query arrived; decides the size limit of the reply. */
public enum QueryProtocol {
    UDP,
    TCP
}
