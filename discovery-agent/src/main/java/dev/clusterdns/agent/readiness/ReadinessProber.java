package dev.clusterdns.agent.readiness;

import dev.clusterdns.agent.model.Container;
import dev.clusterdns.agent.model.Pod;
import dev.clusterdns.agent.snapshot.Problem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the readiness probes of the Pods it is given, as the kubelet does: each container's probe
 * starts after `initialDelaySeconds`, runs every `periodSeconds` with `timeoutSeconds`, and flips
 * the container to ready after `successThreshold` consecutive successes and back after
 * `failureThreshold` consecutive failures. A container starts not ready. A Pod is ready when every
 * container is: a container without a probe, or with an `exec`/`grpc` probe (not run here), is.
 *
 * <p>{@link #sync} is called with every new set of Pods; {@code onChange} runs (on a prober
 * thread) whenever a Pod's readiness flips, so the agent can publish the new Ready condition.
 */
public final class ReadinessProber implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ReadinessProber.class);

    private final java.util.function.Consumer<String> onChange;
    private final Duration second;
    private final ProbeCheck check = new ProbeCheck();
    private final ScheduledExecutorService timer;
    /** `namespace/name/container` → worker. */
    private final Map<String, Worker> workers = new HashMap<>();
    private final Map<String, Problem> problems = new HashMap<>();

    /** @param onChange called with the namespace of a Pod whose readiness changed */
    public ReadinessProber(java.util.function.Consumer<String> onChange) {
        this(onChange, Duration.ofSeconds(1));
    }

    /** @param second how long a probe "second" lasts (tests shorten it) */
    ReadinessProber(java.util.function.Consumer<String> onChange, Duration second) {
        this.onChange = onChange;
        this.second = second;
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(2, r -> {
            Thread th = new Thread(r, "clusterdns-prober");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true);
        this.timer = t;
    }

    /**
     * Probes exactly the probed containers of {@code pods} (those with an IP): new ones start, gone
     * ones stop, ones whose probe or IP changed restart not ready.
     */
    public synchronized void sync(List<Pod> pods) {
        sync(null, pods);
    }

    /**
     * The same for one namespace's Pods: probes of other namespaces are left as they are.
     *
     * @param namespace the namespace {@code pods} are all of; null for every namespace
     */
    public synchronized void sync(String namespace, List<Pod> pods) {
        String prefix = namespace == null ? "" : namespace + "/";
        Set<String> live = new HashSet<>();
        Map<String, Problem> nextProblems = new HashMap<>();
        for (Pod p : pods) {
            List<String> ips = p.podIPs();
            if (ips.isEmpty() || p.isTerminating() || p.isFinished()) {
                continue;
            }
            for (Container c : p.spec().containers()) {
                String key = p.metadata().key() + "/" + c.name();
                String object = "Pod " + p.metadata().key();
                if (ProbeTarget.unsupported(c)) {
                    nextProblems.put(key, new Problem("prober", object, "container \"" + c.name()
                            + "\": only httpGet and tcpSocket readiness probes are run; this one is treated as passing"));
                    continue;
                }
                ProbeTarget target;
                try {
                    target = ProbeTarget.of(c, ips.get(0));
                } catch (IllegalArgumentException e) {
                    nextProblems.put(key, new Problem("prober", object, "container \"" + c.name() + "\": "
                            + e.getMessage() + "; the container is never ready"));
                    live.add(key);
                    workers.computeIfAbsent(key, k -> new Worker(k, null));
                    continue;
                }
                if (target == null) {
                    continue;
                }
                live.add(key);
                Worker w = workers.get(key);
                if (w == null || !target.equals(w.target)) {
                    if (w != null) {
                        w.stop();
                    }
                    Worker fresh = new Worker(key, target);
                    workers.put(key, fresh);
                    fresh.start();
                }
            }
        }
        workers.entrySet().removeIf(e -> {
            if (e.getKey().startsWith(prefix) && !live.contains(e.getKey())) {
                e.getValue().stop();
                return true;
            }
            return false;
        });
        for (Map.Entry<String, Problem> e : nextProblems.entrySet()) {
            if (!problems.containsKey(e.getKey())) {
                log.warn("{}", e.getValue());
            }
        }
        problems.keySet().removeIf(k -> k.startsWith(prefix));
        problems.putAll(nextProblems);
    }

    /**
     * Whether {@code pod} is ready now: every container with an httpGet or tcpSocket probe has
     * passed it (false before the first result); containers without such a probe count as ready.
     */
    public synchronized boolean ready(Pod pod) {
        for (Container c : pod.spec().containers()) {
            if (c.readinessProbe() == null || ProbeTarget.unsupported(c)) {
                continue;
            }
            Worker w = workers.get(pod.metadata().key() + "/" + c.name());
            if (w == null || !w.ready) {
                return false;
            }
        }
        return true;
    }

    /** Probes that cannot run (a port that names nothing, an exec probe), one per container. */
    public synchronized List<Problem> problems() {
        return new ArrayList<>(problems.values());
    }

    @Override
    public synchronized void close() {
        workers.values().forEach(Worker::stop);
        workers.clear();
        timer.shutdownNow();
    }

    /** One container's probe loop. */
    private final class Worker {
        final String key;
        final ProbeTarget target;
        volatile boolean ready;
        private int successes;
        private int failures;
        private String lastFailure;
        private ScheduledFuture<?> task;
        private volatile boolean stopped;

        Worker(String key, ProbeTarget target) {
            this.key = key;
            this.target = target;
        }

        void start() {
            Millis t = new Millis(target.timing());
            task = timer.scheduleWithFixedDelay(this::probeOnce, t.delayMillis(), t.periodMillis(), TimeUnit.MILLISECONDS);
        }

        void stop() {
            stopped = true;
            if (task != null) {
                task.cancel(false);
            }
        }

        private void probeOnce() {
            if (stopped) {
                return;
            }
            String failure = check.run(target, Duration.ofMillis(new Millis(target.timing()).timeoutMillis()));
            boolean changed = false;
            synchronized (ReadinessProber.this) {
                if (stopped) {
                    return;
                }
                if (failure == null) {
                    failures = 0;
                    lastFailure = null;
                    if (++successes >= target.timing().successThreshold() && !ready) {
                        ready = true;
                        changed = true;
                        log.info("readiness probe of {} passed: {} is ready", key, target);
                    }
                } else {
                    successes = 0;
                    if (!failure.equals(lastFailure)) {
                        log.info("readiness probe of {} failed: {}", key, failure);
                        lastFailure = failure;
                    }
                    if (++failures >= target.timing().failureThreshold() && ready) {
                        ready = false;
                        changed = true;
                        log.warn("{} is not ready after {} failed probe(s): {}", key, failures, failure);
                    }
                }
            }
            if (changed) {
                try {
                    onChange.accept(key.substring(0, key.indexOf('/')));
                } catch (RuntimeException e) {
                    log.error("readiness change handler failed", e);
                }
            }
        }
    }

    /** Probe timing in this prober's unit of time; periods below one second are raised to one, as the API server requires. */
    private final class Millis {
        private final dev.clusterdns.agent.model.Probe.Timing t;

        Millis(dev.clusterdns.agent.model.Probe.Timing t) {
            this.t = t;
        }

        long delayMillis() {
            return Math.max(0, t.initialDelaySeconds()) * second.toMillis();
        }

        long periodMillis() {
            return Math.max(1, t.periodSeconds()) * second.toMillis();
        }

        long timeoutMillis() {
            return Math.max(1, t.timeoutSeconds()) * second.toMillis();
        }
    }
}
