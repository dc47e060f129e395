package io.rlimitinjector.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.rlimitinjector.events.AdmissionEvents;
import io.rlimitinjector.events.EventObserver;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** {@code --events}: Kubernetes Events on the owners of admitted pods; off by default, as it needs RBAC. */
final class EventFlags {
    static final Set<String> SWITCHES = Set.of("events");
    static final String USAGE = """
              --events                      record Events (events.k8s.io/v1) on each admitted pod's controller,
                                            Injected or NotInjected, once per owner and reason per 10 minutes;
                                            needs RBAC create on events.k8s.io events (RLIMIT_INJECTOR_EVENTS=true)
            """;

    private EventFlags() {
    }

    /**
     * Starts recording when the flag is on; empty, with no client and no thread, when it is off.
     *
     * @param kubernetes asked for its client only when the flag is on; not closed here
     */
    static Optional<AdmissionEvents> start(Options options, EventObserver observer,
            Supplier<KubernetesClient> kubernetes) {
        if (!options.has("events")) {
            return Optional.empty();
        }
        // In a pod, HOSTNAME is the pod's name: the instance that reported, for kubectl get events -o wide.
        String instance = System.getenv().getOrDefault("HOSTNAME", "rlimit-injector");
        return Optional.of(AdmissionEvents.start(kubernetes.get(), instance, observer));
    }
}
