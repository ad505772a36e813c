package dev.clusterdns.agent.model;

public record SessionAffinityConfig(ClientIPConfig clientIP) {
    public record ClientIPConfig(Integer timeoutSeconds) {}
}
