package dev.clusterdns.agent.endpoints;

import dev.clusterdns.agent.model.Container;
import dev.clusterdns.agent.model.ContainerPort;
import dev.clusterdns.agent.model.IntOrString;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.model.ServicePort;

/** Kubernetes' `FindPort`: the pod port a Service port's `targetPort` means for one pod. */
final class TargetPorts {
    /** Returned when the pod has no port for the target; the (pod, port) pair is then skipped. */
    static final int UNRESOLVED = -1;

    private TargetPorts() {}

    /**
     * A number is used as is, even when no container declares it. A name is looked up among the
     * regular containers' ports (name and the Service port's protocol must match), then among the
     * sidecars (init containers with `restartPolicy: Always`); plain init containers never count.
     */
    static int find(Pod pod, ServicePort servicePort) {
        IntOrString target = servicePort.targetPort();
        if (target == null) {
            // API defaulting sets targetPort = port; tolerate inputs that skipped it.
            return servicePort.port() == null ? UNRESOLVED : servicePort.port();
        }
        if (target.isInt()) {
            return target.intValue();
        }
        String name = target.stringValue();
        String protocol = servicePort.protocolOrTcp();
        int found = findIn(pod.spec().containers(), name, protocol, false);
        if (found == UNRESOLVED) {
            found = findIn(pod.spec().initContainers(), name, protocol, true);
        }
        return found;
    }

    private static int findIn(Iterable<Container> containers, String name, String protocol, boolean sidecarsOnly) {
        for (Container c : containers) {
            if (sidecarsOnly && !"Always".equals(c.restartPolicy())) {
                continue;
            }
            for (ContainerPort p : c.ports()) {
                if (name.equals(p.name()) && protocol.equals(p.protocolOrTcp()) && p.containerPort() != null) {
                    return p.containerPort();
                }
            }
        }
        return UNRESOLVED;
    }
}
