package io.rlimitinjector.inject;

import io.fabric8.kubernetes.api.model.Pod;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.MutationResult;
import io.rlimitinjector.mutation.PodMutator;
import tools.jackson.databind.JsonNode;

/**
 * Pod in, patch out: the one entry point of the webhook ({@code AdmissionReviewHandler}) and of the {@code inject}
 * command ({@link ManifestInjector}), so both give a pod the same patch.
 */
public final class PodInjector {
    private final PodMutator mutator;

    public PodInjector(PodMutator mutator) {
        this.mutator = mutator;
    }

    /**
     * Mutates {@code pod} itself: both callers bind it fresh from the request and do not use it afterwards, so the
     * tree the patch is diffed against is all the copy needed.
     *
     * @param namespace the pod's namespace; pods made by controllers carry it only in the admission request
     * @param resolver answers this pod's image lookups
     */
    public Injection inject(Pod pod, String namespace, EntrypointResolver resolver) {
        JsonNode before = Json.MAPPER.valueToTree(pod);
        MutationResult result = mutator.mutateOwned(pod, namespace, resolver);
        return new Injection(result, PodPatch.between(before, result.pod()));
    }
}
