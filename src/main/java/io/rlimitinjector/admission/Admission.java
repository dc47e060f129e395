package io.rlimitinjector.admission;

import io.rlimitinjector.mutation.MutationResult;
import tools.jackson.databind.JsonNode;

/**
 * One answered admission request: the AdmissionReview to send back, and what the webhook did, for logs and metrics.
 *
 * @param outcome {@code mutated}, {@code unchanged} (looked at, nothing to do), {@code ignored} (not a pod creation)
 *     or {@code error} (the webhook failed and admitted the pod as it was)
 * @param mutation the mutation's result, or null when there was none
 */
public record Admission(String uid, String namespace, String pod, String outcome, MutationResult mutation,
        JsonNode review) {
}
