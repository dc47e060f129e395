package io.rlimitinjector.review;

import io.rlimitinjector.mutation.MutationResult;
import tools.jackson.databind.JsonNode;

/**
 * One answered admission request: the AdmissionReview to send back, and what the webhook did. The admission server
 * makes it; logs, metrics and Events read it. It lives below all three so none of them imports another for it.
 *
 * @param outcome {@code mutated}, {@code unchanged} (looked at, nothing to do), {@code ignored} (not a pod creation)
 *     or {@code error} (the webhook failed and admitted the pod as it was)
 * @param mutation the mutation's result, or null when there was none
 * @param dryRun the request's {@code dryRun}: nothing is stored, so nothing may be reported either
 */
public record Admission(String uid, String namespace, String pod, String outcome, MutationResult mutation,
        boolean dryRun, JsonNode review) {

    /** Whether the answer changes the pod; a reinvocation that finds our earlier work changes nothing. */
    public boolean patched() {
        return review.path("response").has("patch");
    }
}
