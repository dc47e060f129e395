package io.rlimitinjector.mutation;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.concurrent.CompletableFuture;

/**
 * Finds the entrypoint of a container image whose pod sets no {@code command}. The registry client implements it;
 * {@link #NONE} is for when lookups are off.
 */
@FunctionalInterface
public interface EntrypointResolver {
    EntrypointResolver NONE = (image, pod, namespace) -> Lookup.failed("registry lookup is disabled");

    /**
     * Looks the image up. Implementations bound their own time and never throw for registry trouble: they return
     * {@link Lookup#failed} with a reason the user can act on.
     */
    Lookup resolve(String image, Pod pod, String namespace);

    /**
     * Starts the lookup and returns at once, so the caller can do something else meanwhile (the webhook server frees
     * its parsing slot). The future completes within the resolver's own time bound and never exceptionally. This
     * default, for resolvers that need no time, looks up at once.
     */
    default CompletableFuture<Lookup> start(String image, Pod pod, String namespace) {
        return CompletableFuture.completedFuture(resolve(image, pod, namespace));
    }

    /**
     * A resolver for the lookups of one pod, made as its mutation starts: they share one time budget, so a pod with
     * several images is not delayed by several budgets. Resolvers without a budget return themselves.
     */
    default EntrypointResolver sharingOneBudget() {
        return this;
    }

    /** The outcome of one lookup: the image config, or why there is none. */
    record Lookup(ImageConfig config, String failure) {
        public static Lookup found(ImageConfig config) {
            return new Lookup(config, null);
        }

        public static Lookup failed(String reason) {
            return new Lookup(null, reason);
        }

        public boolean isFound() {
            return config != null;
        }
    }
}
