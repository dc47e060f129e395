package io.rlimitinjector.inject;

import io.rlimitinjector.mutation.MutationResult;
import tools.jackson.databind.node.ArrayNode;

/**
 * One pod's injection: what the mutation decided, and the JSON Patch from the pod as given to the mutated one.
 *
 * @param patch RFC 6902 operations; empty when the mutation changed nothing
 */
public record Injection(MutationResult mutation, ArrayNode patch) {
    /** Whether the pod changes; a reinvocation that finds our earlier work changes nothing. */
    public boolean patched() {
        return !patch.isEmpty();
    }

    /** Mutated only when a container was wrapped: a status annotation alone leaves the pod unchanged in effect. */
    public Outcome outcome() {
        return mutation.wrappedCount() > 0 && patched() ? Outcome.MUTATED : Outcome.UNCHANGED;
    }
}
