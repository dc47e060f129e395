package io.rlimitinjector.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlimitinjector.inject.Admission;
import io.rlimitinjector.inject.Outcome;
import io.rlimitinjector.inject.PodInjector;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.testing.Reviews;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

class AdmissionReviewHandlerTest {
    private final AdmissionReviewHandler handler =
            new AdmissionReviewHandler(new PodInjector(new PodMutator(InjectionSettings.defaults())));

    @Test
    void answersAPodCreationWithAPatchAndWarningsAndEchoesTheUid() {
        Admission admission = handle(Reviews.podCreate("uid-1", "shop", Reviews.pod(Reviews.PYTHON_POD)));
        JsonNode response = Reviews.sent(admission).get("response");
        assertThat(response.get("uid").asString()).isEqualTo("uid-1");
        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(response.get("patchType").asString()).isEqualTo("JSONPatch");
        assertThat(response.get("warnings").get(0).asString())
                .isEqualTo("rlimit-injector: container \"logs\" not wrapped: no memory limit (resources.limits.memory)");
        assertThat(admission.outcome()).isEqualTo(Outcome.MUTATED);
        assertThat(admission.namespace()).isEqualTo("shop");
        JsonNode stored = Reviews.patched(Reviews.pod(Reviews.PYTHON_POD), Reviews.sent(admission));
        assertThat(stored.at("/spec/containers/0/command/0").asString()).isEqualTo("/rlimit-injector/launch");
    }

    @Test
    void dryRunIsMutatedLikeARealRequest() {
        ObjectNode real = Reviews.podCreate("u", "shop", Reviews.pod(Reviews.PYTHON_POD));
        ObjectNode dry = real.deepCopy();
        ((ObjectNode) dry.get("request")).put("dryRun", true);
        assertThat(Reviews.patch(Reviews.sent(handle(dry)))).isEqualTo(Reviews.patch(Reviews.sent(handle(real))));
    }

    @Test
    void admitsWhatIsNotAPodCreationWithoutAPatch() {
        ObjectNode update = Reviews.podCreate("u", "shop", Reviews.pod(Reviews.PYTHON_POD));
        ((ObjectNode) update.get("request")).put("operation", "UPDATE");
        ObjectNode configMap = Reviews.podCreate("u", "shop", Json.MAPPER.createObjectNode());
        ((ObjectNode) configMap.get("request").get("kind")).put("kind", "ConfigMap");
        ObjectNode noObject = Reviews.podCreate("u", "shop", null);
        ((ObjectNode) noObject.get("request")).remove("object");
        ObjectNode binding = Reviews.podCreate("u", "shop", Reviews.pod(Reviews.PYTHON_POD));
        ((ObjectNode) binding.get("request")).put("subResource", "binding");
        for (ObjectNode review : List.of(update, configMap, noObject, binding)) {
            Admission admission = handle(review);
            assertThat(admission.outcome()).isEqualTo(Outcome.IGNORED);
            assertThat(Reviews.sent(admission).get("response").get("allowed").asBoolean()).isTrue();
            assertThat(Reviews.sent(admission).get("response").has("patch")).isFalse();
        }
    }

    @Test
    void optedOutPodGetsNoPatchAtAll() {
        JsonNode pod = Reviews.pod(Reviews.PYTHON_POD);
        ((ObjectNode) pod.get("metadata")).putObject("annotations").put("rlimit-injector.io/inject", "false");
        Admission admission = handle(Reviews.podCreate("u", "shop", pod));
        assertThat(Reviews.sent(admission).get("response").has("patch")).isFalse();
        assertThat(admission.outcome()).isEqualTo(Outcome.UNCHANGED);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "not json", "[]", "42", "{}", "{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\"}",
        "{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1beta1\",\"request\":{\"uid\":\"u\"}}",
        "{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\",\"request\":{}}",
        "{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\",\"request\":\"x\"}",
        "{\"kind\":\"AdmissionReview\",\"apiVersion\":\"admission.k8s.io/v1\",\"request\":{\"uid\":\"u\",\"operation\":\"CREATE\","
                + "\"kind\":{\"group\":\"\",\"kind\":\"Pod\"},\"object\":{\"spec\":{\"containers\":\"nope\"}}}}",
        "{\"kind\":\"AdmissionReview\"",
    })
    void rejectsUnreadableRequestsWithA400ThatSaysWhy(String body) {
        assertThatThrownBy(() -> handler.handle(body.getBytes(StandardCharsets.UTF_8), EntrypointResolver.NONE))
                .isInstanceOfSatisfying(BadAdmissionRequest.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.getMessage()).isNotBlank().doesNotContain("\tat ");
                });
    }

    @Test
    void internalTroubleAdmitsThePodUnchangedWithAWarning() {
        EntrypointResolver broken = (image, pod, namespace) -> {
            throw new IllegalStateException("registry client bug");
        };
        JsonNode pod = Reviews.pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: x}
                spec:
                  containers: [{name: a, image: python, resources: {limits: {memory: 1Gi}}}]
                """);
        Admission admission = handler.handle(bytes(Reviews.podCreate("u", "shop", pod)), broken);
        assertThat(admission.outcome()).isEqualTo(Outcome.ERROR);
        JsonNode response = Reviews.sent(admission).get("response");
        assertThat(response.get("allowed").asBoolean()).isTrue();
        assertThat(response.has("patch")).isFalse();
        assertThat(response.get("warnings").get(0).asString()).contains("pod admitted unchanged");
    }

    @Test
    void warningsAreCappedShortAndPrintable() {
        List<String> many = Collections.nCopies(50, "line\nbreak " + "x".repeat(400));
        List<String> shown = AdmissionReviewHandler.shownWarnings(many);
        assertThat(shown).hasSize(AdmissionReviewHandler.MAX_WARNINGS + 1);
        assertThat(shown).allSatisfy(line -> {
            assertThat(line.length()).isLessThanOrEqualTo(AdmissionReviewHandler.MAX_WARNING_LENGTH);
            assertThat(line).doesNotContain("\n");
        });
        assertThat(shown.get(shown.size() - 1)).contains("30 more warnings");
    }

    private Admission handle(JsonNode review) {
        return handler.handle(bytes(review), EntrypointResolver.NONE);
    }

    private static byte[] bytes(JsonNode review) {
        return Json.MAPPER.writeValueAsBytes(review);
    }
}
