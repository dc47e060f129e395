package io.rlimitinjector.inject;

import io.rlimitinjector.mutation.MutationResult;
import java.util.List;

/**
 * The webhook's typed answer to one AdmissionReview, before the HTTP edge writes it: the admission server makes
 * it; its log, the metrics and Events read it. It lives beside the injection it carries, below all three, so none
 * of them imports another for it.
 *
 * @param namespace the request's namespace, or the pod's
 * @param pod the pod's name for logs and Events, {@code generateName*} when it has none yet; null when ignored
 * @param dryRun the request's {@code dryRun}: nothing is stored, so nothing may be reported either
 * @param injection what was done to the pod, or null when nothing was (ignored, or an error)
 * @param warnings the response's warnings, as sent
 */
public record Admission(String uid, String namespace, String pod, boolean dryRun, Outcome outcome,
        Injection injection, List<String> warnings) {
    public Admission {
        warnings = List.copyOf(warnings);
    }

    /** The mutation's result, or null when there was none. */
    public MutationResult mutation() {
        return injection == null ? null : injection.mutation();
    }

    /** Whether the answer carries a patch. */
    public boolean patched() {
        return injection != null && injection.patched();
    }
}
