package dev.clusterdns.agent.endpoints;

import dev.clusterdns.agent.net.IpAddresses;

/** An address family, named as Service `ipFamilies` and EndpointSlice `addressType` name it. */
enum IpFamily {
    IPV4("IPv4", "IPv4"),
    IPV6("IPv6", "IPv6");

    private final String serviceName;
    private final String addressType;

    IpFamily(String serviceName, String addressType) {
        this.serviceName = serviceName;
        this.addressType = addressType;
    }

    String addressType() {
        return addressType;
    }

    /** `IPv4`/`IPv6` as in `spec.ipFamilies`; null for anything else. */
    static IpFamily fromServiceName(String name) {
        for (IpFamily f : values()) {
            if (f.serviceName.equals(name)) {
                return f;
            }
        }
        return null;
    }

    /**
     * The family of an IP literal as Go's net.ParseIP sees it (an IPv4-mapped IPv6 address is IPv4),
     * or null when the text is not an IP address.
     */
    static IpFamily of(String ip) {
        if (ip == null || ip.isEmpty()) {
            return null;
        }
        try {
            return IpAddresses.parse(ip).length == 4 ? IPV4 : IPV6;
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
