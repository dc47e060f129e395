package io.rlimitinjector.mutation;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;

/**
 * The outcome of mutating one pod.
 *
 * @param pod the mutated pod; the input itself is never changed
 * @param decisions one per container the webhook looked at, in pod order (init containers first)
 * @param warnings lines for the admission response, one per skipped container or ignored setting
 * @param skipped why the whole pod was left alone, or null
 */
public record MutationResult(Pod pod, List<ContainerDecision> decisions, List<String> warnings, String skipped) {
    public MutationResult {
        decisions = List.copyOf(decisions);
        warnings = List.copyOf(warnings);
    }

    public long wrappedCount() {
        return decisions.stream().filter(ContainerDecision::isWrapped).count();
    }
}
