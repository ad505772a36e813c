package dev.clusterdns.agent.model;

public record PodIP(String ip) {}
