package dev.clusterdns.agent.allocation;

/** The outcome of asking a pool for one given address or port. */
enum Claim {
    TAKEN,
    IN_USE,
    OUT_OF_RANGE
}
