package io.rlimitinjector.admission;

import io.rlimitinjector.inject.Admission;
import io.rlimitinjector.json.Json;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The HTTP edge's half of the protocol: an {@link Admission} as the AdmissionReview bytes the API server reads. */
public final class ReviewWriter {
    private ReviewWriter() {
    }

    public static byte[] bytes(Admission admission) {
        ObjectNode review = Json.MAPPER.createObjectNode();
        review.put("apiVersion", AdmissionReviewHandler.API_VERSION);
        review.put("kind", "AdmissionReview");
        ObjectNode response = review.putObject("response");
        response.put("uid", admission.uid());
        response.put("allowed", true);
        if (admission.patched()) {
            response.put("patchType", "JSONPatch");
            // Bytes, which Jackson writes as standard base64 straight into the output, as Kubernetes expects.
            response.put("patch", Json.MAPPER.writeValueAsBytes(admission.injection().patch()));
        }
        if (!admission.warnings().isEmpty()) {
            ArrayNode warnings = response.putArray("warnings");
            admission.warnings().forEach(warnings::add);
        }
        return Json.MAPPER.writeValueAsBytes(review);
    }
}
