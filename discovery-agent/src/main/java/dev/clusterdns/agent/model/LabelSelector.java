package dev.clusterdns.agent.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record LabelSelector(Map<String, String> matchLabels, List<Requirement> matchExpressions) {
    public LabelSelector {
        matchLabels = Lists.copy(matchLabels);
        matchExpressions = Lists.copy(matchExpressions);
    }

    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    public record Requirement(String key, String operator, List<String> values) {
        public Requirement {
            values = Lists.copy(values);
        }
    }
}
