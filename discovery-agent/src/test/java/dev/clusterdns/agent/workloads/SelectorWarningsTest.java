package dev.clusterdns.agent.workloads;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.clusterdns.agent.model.KubeObject;
import dev.clusterdns.agent.model.Service;
import dev.clusterdns.agent.snapshot.Problem;
import dev.clusterdns.agent.validation.Defaults;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SelectorWarningsTest {
    @Test
    void aServiceSelectingNoPodGetsOneWarningAndOthersNone() {
        List<KubeObject> objects = Fixtures.read(Fixtures.pod("web-1", "{app: web}") + """
                apiVersion: v1
                kind: Service
                metadata: {name: web}
                spec: {selector: {app: web}, ports: [{port: 80}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: typo}
                spec: {selector: {app: wbe}, ports: [{port: 80}]}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: manual}
                spec: {ports: [{port: 80}]}
                """);
        List<Service> services = objects.stream().filter(o -> o instanceof Service).map(o -> Defaults.service((Service) o)).toList();
        List<Problem> problems = SelectorWarnings.services(services, Fixtures.pods(objects), Map.of("Service default/typo", "x.yaml"));
        assertEquals(1, problems.size(), problems.toString());
        assertEquals("x.yaml", problems.get(0).source());
        assertEquals("Service default/typo", problems.get(0).object());
        assertTrue(problems.get(0).message().contains("selector app=wbe matches no Pod"), problems.get(0).message());
    }
}
