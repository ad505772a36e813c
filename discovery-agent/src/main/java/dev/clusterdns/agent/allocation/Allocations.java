package dev.clusterdns.agent.allocation;

import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.validation.FieldError;
import java.util.List;
import java.util.Map;

public record Allocations(List<Service> services, Map<String, List<FieldError>> rejected) {}
