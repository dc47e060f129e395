package io.rlimitinjector.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.rlimitinjector.inject.Admission;
import io.rlimitinjector.inject.Outcome;
import io.rlimitinjector.inject.PodInjector;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import tools.jackson.databind.JsonNode;

/**
 * Any body, however malformed, is either a 400 with a message or an allowed AdmissionReview produced without an
 * internal error; nothing else escapes.
 * Under {@code mvn test} this replays the corpus in {@code AdmissionFuzzTestInputs}; {@code hack/fuzz.sh} fuzzes.
 */
class AdmissionFuzzTest {
    private static final AdmissionReviewHandler HANDLER =
            new AdmissionReviewHandler(new PodInjector(new PodMutator(InjectionSettings.defaults())));

    @FuzzTest(maxDuration = "10m")
    void handlingNeverFailsUnexpectedly(byte[] body) {
        Admission admission;
        try {
            admission = HANDLER.handle(body, EntrypointResolver.NONE);
        } catch (BadAdmissionRequest e) {
            assertThat(e.status()).isBetween(400, 499);
            assertThat(e.getMessage()).isNotBlank();
            return;
        }
        // "error" admits the pod safely, but it means the webhook hit a bug: the fuzzer reports it as one.
        assertThat(admission.outcome()).isNotEqualTo(Outcome.ERROR);
        JsonNode response = Json.MAPPER.readTree(ReviewWriter.bytes(admission)).get("response");
        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(response.get("uid").asString()).isNotEmpty();
    }
}
