package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record PodDNSConfig(List<String> nameservers, List<String> searches, List<Option> options) {
    public PodDNSConfig {
        nameservers = Lists.copy(nameservers);
        searches = Lists.copy(searches);
        options = Lists.copy(options);
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Option(String name, String value) {}
}
