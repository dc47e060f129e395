package io.rlimitinjector.admission;

import io.fabric8.kubernetes.api.model.Pod;
import io.rlimitinjector.mutation.EntrypointResolver;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * One admission's image lookups, answered without waiting: a lookup not finished yet is started and answered as
 * failed for now, and {@link #deferred()} says the answers were incomplete. The server then waits for the lookups
 * outside its parsing slot and mutates the pod again, when every lookup has its answer. The lookups start together,
 * and each ends within the resolver's budget, so a pod's lookups take one budget in all.
 */
final class PodLookups implements EntrypointResolver {
    private final EntrypointResolver resolver;
    /** By image: at most one a container, so at most {@code PodMutator.MAX_CONTAINERS}. */
    private final Map<String, CompletableFuture<Lookup>> lookups = new HashMap<>();
    private boolean deferred;
    private String unfinished = "registry lookup not finished";

    PodLookups(EntrypointResolver resolver) {
        this.resolver = resolver;
    }

    @Override
    public Lookup resolve(String image, Pod pod, String namespace) {
        CompletableFuture<Lookup> lookup = lookups.computeIfAbsent(image, key -> resolver.start(key, pod, namespace));
        if (!lookup.isDone()) {
            deferred = true;
            return Lookup.failed(unfinished);
        }
        return lookup.join();
    }

    /** Whether some answer was not known yet when asked. */
    boolean deferred() {
        return deferred;
    }

    /** Waits until every lookup has ended. */
    void awaitAll() throws InterruptedException {
        try {
            CompletableFuture.allOf(lookups.values().toArray(CompletableFuture[]::new)).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("a lookup failed instead of answering", e);
        }
    }

    /** From now on, lookups not finished are answered as failed for this reason, not waited for. */
    void giveUp(String reason) {
        unfinished = reason;
    }
}
