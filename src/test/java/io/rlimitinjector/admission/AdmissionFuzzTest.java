package io.rlimitinjector.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.review.Admission;
import tools.jackson.databind.JsonNode;

/**
 * Any body, however malformed, is either a 400 with a message or an allowed AdmissionReview produced without an
 * internal error; nothing else escapes.
 * Under {@code mvn test} this replays the corpus in {@code AdmissionFuzzTestInputs}; {@code hack/fuzz.sh} fuzzes.
 */
class AdmissionFuzzTest {
    private static final AdmissionReviewHandler HANDLER =
            new AdmissionReviewHandler(new PodMutator(InjectionSettings.defaults(), EntrypointResolver.NONE));

    @FuzzTest(maxDuration = "10m")
    void handlingNeverFailsUnexpectedly(byte[] body) {
        Admission admission;
        try {
            admission = HANDLER.handle(body);
        } catch (BadAdmissionRequest e) {
            assertThat(e.status()).isBetween(400, 499);
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        // "error" admits the pod safely, but it means the webhook hit a bug: the fuzzer reports it as one.
        assertThat(admission.outcome()).isNotEqualTo("error");
        JsonNode response = Json.MAPPER.readTree(AdmissionReviewHandler.toBytes(admission)).get("response");
        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(response.get("uid").asString()).isNotEmpty();
    }
}
