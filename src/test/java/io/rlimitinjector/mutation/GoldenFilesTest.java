package io.rlimitinjector.mutation;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.rlimitinjector.inject.ManifestInjector;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.testing.Golden;
import io.rlimitinjector.testing.LineDiff;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * the pod the webhook makes of it, led by the warnings it gives. Run with {@code UPDATE_GOLDEN=1} to rewrite the
 * expected files, then review the diff.
 */
class GoldenFilesTest {
    static Stream<Arguments> cases() throws IOException {
        return Golden.everyCase();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void mutatesAsRecorded(Golden golden, String name) throws IOException {
        JsonNode pod = Golden.input(name);
        List<String> warnings = new ManifestInjector(golden.mutatorOf()).inject(pod);
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

    /** A second admission of the mutated pod, as on reinvocation, changes nothing and warns the same. */
    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void secondPassChangesNothing(Golden golden, String name) throws IOException {
        ManifestInjector injector = new ManifestInjector(golden.mutatorOf());
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
        assertThat(PodPatch.between(pod, pod)).isEmpty();
        assertThat(Json.MAPPER.readTree(Json.MAPPER.writeValueAsString(pod))).isEqualTo(original);
    }

    /** The core is a function: the pod it is given is the same afterwards. */
    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void mutationLeavesItsInputAlone(Golden golden, String name) throws IOException {
        JsonNode original = Golden.input(name);
        Pod pod = Json.MAPPER.treeToValue(original, Pod.class);
        golden.mutatorOf().mutate(pod, "ns");
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
