package io.rlimitinjector.mutation;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.rlimitinjector.admission.AdmissionReviewHandler;
import io.rlimitinjector.inject.Admission;
import io.rlimitinjector.inject.ManifestInjector;
import io.rlimitinjector.inject.PodPatch;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.testing.Golden;
import io.rlimitinjector.testing.LineDiff;
import io.rlimitinjector.testing.Reviews;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.opentest4j.AssertionFailedError;
import tools.jackson.databind.JsonNode;

/**
 * Golden files, as Istio tests its injector: {@code golden/NAME.yaml} is a pod, {@code golden/NAME.injected.yaml}
 * the pod the webhook makes of it, led by the warnings it gives. Each goes through both ways in: the {@code inject}
 * command's and the webhook's, an AdmissionReview whose patch is applied to the pod as the API server does. Run with
 * {@code UPDATE_GOLDEN=1} to rewrite the expected files, then review the diff.
 */
class GoldenFilesTest {
    static Stream<Arguments> cases() throws IOException {
        return Golden.everyCase();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void mutatesAsRecorded(Golden golden, String name) throws IOException {
        JsonNode pod = Golden.input(name);
        List<String> warnings = new ManifestInjector(golden.injector(), Golden.RESOLVER).inject(pod);
        String actual = render(warnings, pod);
        Path expectedFile = golden.expectedFile(name);
        if (System.getenv("UPDATE_GOLDEN") != null) {
            Files.writeString(expectedFile, actual, StandardCharsets.UTF_8);
        }
        String expected = Files.exists(expectedFile) ? Files.readString(expectedFile) : "";
        if (!expected.equals(actual)) {
            throw new AssertionFailedError(name + ".injected.yaml differs (- expected, + actual); "
                    + "rerun with UPDATE_GOLDEN=1 if the change is intended:\n" + LineDiff.diff(expected, actual),
                    expected, actual);
        }
    }

    /** The webhook answers with the recorded pod and the recorded warnings, as the API server shows them. */
    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void theWebhookAnswersAsRecorded(Golden golden, String name) throws IOException {
        JsonNode input = Golden.input(name);
        String namespace = input.path("metadata").path("namespace").asString(null);
        Admission admission = new AdmissionReviewHandler(golden.injector()).handle(
                Json.MAPPER.writeValueAsBytes(Reviews.podCreate("golden", namespace, input)), Golden.RESOLVER);
        JsonNode sent = Reviews.sent(admission);
        String expected = Files.readString(golden.expectedFile(name));
        List<String> header = expected.lines().takeWhile(line -> line.startsWith("#")).toList();
        String expectedPod = expected.substring(header.stream().mapToInt(line -> line.length() + 1).sum());
        assertThat(Json.YAML.writeValueAsString(Reviews.patched(input, sent))).isEqualTo(expectedPod);
        // Recorded as "Pod NAME: warning" by inject; the webhook names no pod, the API server shows whose it is.
        List<String> recorded = header.stream().filter(line -> line.startsWith("# - "))
                .map(line -> line.substring(line.indexOf(": ") + 2)).toList();
        List<String> shown = new ArrayList<>();
        sent.path("response").path("warnings").forEach(warning -> shown.add(warning.asString()));
        assertThat(shown).isEqualTo(AdmissionReviewHandler.shownWarnings(recorded));
    }

    /** A second admission of the mutated pod, as on reinvocation, changes nothing and warns the same. */
    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void secondPassChangesNothing(Golden golden, String name) throws IOException {
        ManifestInjector injector = new ManifestInjector(golden.injector(), Golden.RESOLVER);
        JsonNode once = Golden.input(name);
        List<String> firstWarnings = injector.inject(once);
        JsonNode twice = once.deepCopy();
        List<String> secondWarnings = injector.inject(twice);
        assertThat(twice).isEqualTo(once);
        assertThat(secondWarnings).isEqualTo(firstWarnings);
    }

    /** The model keeps every field it does not know, so a mutation that does nothing is an empty patch. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("inputs")
    void modelRoundTripKeepsEveryField(String name) throws IOException {
        JsonNode original = Golden.input(name);
        Pod pod = Json.MAPPER.treeToValue(original, Pod.class);
        assertThat(PodPatch.between(Json.MAPPER.valueToTree(pod), pod)).isEmpty();
        assertThat(Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(pod))).isEqualTo(original);
    }

    /** The core is a function: the pod it is given is the same afterwards. */
    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void mutationLeavesItsInputAlone(Golden golden, String name) throws IOException {
        JsonNode original = Golden.input(name);
        Pod pod = Json.MAPPER.treeToValue(original, Pod.class);
        golden.mutatorOf().mutate(pod, "ns", Golden.RESOLVER);
        JsonNode after = Json.MAPPER.valueToTree(pod);
        assertThat(after).isEqualTo(Json.MAPPER.valueToTree(Json.MAPPER.treeToValue(original, Pod.class)));
    }

    static Stream<String> inputs() throws IOException {
        return Golden.inputs().stream();
    }

    @Test
    void thereAreEnoughShapes() throws IOException {
        assertThat(Golden.INIT_CONTAINER.cases()).hasSizeGreaterThanOrEqualTo(20);
        assertThat(Golden.IMAGE_VOLUME.cases()).hasSizeGreaterThanOrEqualTo(8);
    }

    static String render(List<String> warnings, JsonNode pod) {
        StringBuilder out = new StringBuilder("# warnings:");
        if (warnings.isEmpty()) {
            out.append(" none");
        }
        out.append('\n');
        warnings.forEach(warning -> out.append("# - ").append(warning).append('\n'));
        return out.append(Json.YAML.writeValueAsString(pod)).toString();
    }
}
