package io.rlimitinjector.mutation;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapKeySelector;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.rlimitinjector.testing.Vectors;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The webhook skips a container whose GOMEMLIMIT the launcher's Go runtime refuses, and only such a container. */
class GoMemLimitTest {
    private static final EnvVarSource FROM_CONFIG_MAP =
            new EnvVarSource(new ConfigMapKeySelector("GOMEMLIMIT", "go-settings", false), null, null, null, null);

    static Stream<String> vectors() throws IOException {
        return Vectors.rows("gomemlimit-vectors.tsv");
    }

    /** The rows src/launcher/gomemlimit_test.go checks against the real launcher. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void agreesWithGosRuntime(String vector) {
        String[] fields = vector.split("\t");
        assertThat(fields[0]).startsWith("\"").endsWith("\"").hasSizeGreaterThanOrEqualTo(2);
        assertThat(fields[1]).isIn("runs", "aborts");
        String value = fields[0].substring(1, fields[0].length() - 1);

        assertThat(GoMemLimit.acceptedByGo(value)).as("GOMEMLIMIT=\"%s\" accepted", value)
                .isEqualTo(fields[1].equals("runs"));
    }

    @Test
    void aHugeValueIsRefusedWithoutParsingItAndShownShort() {
        String huge = "1".repeat(1_000_000) + "GiB";

        assertThat(GoMemLimit.acceptedByGo(huge)).isFalse();
        assertThat(GoMemLimit.acceptedByGo("-" + "0".repeat(1_000_000))).isTrue();
        assertThat(GoMemLimit.launcherRefusal(List.of(literal(huge)), Map.of()).orElseThrow())
                .startsWith("GOMEMLIMIT=\"" + "1".repeat(40) + "...\" (container env)").hasSizeLessThan(300);
    }

    @Test
    void theLastDefinitionInEnvWinsAsInKubernetes() {
        assertThat(GoMemLimit.launcherRefusal(List.of(literal("1G"), literal("1GiB")), Map.of())).isEmpty();
        assertThat(GoMemLimit.launcherRefusal(List.of(literal("1GiB"), literal("1G")), Map.of()))
                .hasValueSatisfying(detail -> assertThat(detail).startsWith("GOMEMLIMIT=\"1G\" (container env)"));
    }

    @Test
    void theContainersOwnValueReplacesTheImages() {
        Map<String, String> image = Map.of("GOMEMLIMIT", "1G");

        assertThat(GoMemLimit.launcherRefusal(List.of(), image))
                .hasValueSatisfying(detail -> assertThat(detail).startsWith("GOMEMLIMIT=\"1G\" (image env)")
                        .contains("the launcher, a Go program, cannot start with it, so the program runs unwrapped"));
        assertThat(GoMemLimit.launcherRefusal(List.of(literal("")), image)).as("empty means unset").isEmpty();
        assertThat(GoMemLimit.launcherRefusal(List.of(literal("off")), image)).isEmpty();
        assertThat(GoMemLimit.launcherRefusal(List.of(), Map.of("GOMEMLIMIT", "900MiB"))).isEmpty();
        assertThat(GoMemLimit.launcherRefusal(List.of(new EnvVar("GOGC", "1G", null)), Map.of())).isEmpty();
    }

    /** Known only at run time: the container is wrapped, as before. */
    @Test
    void aValueTheKubeletFillsInIsNotJudged() {
        Map<String, String> image = Map.of("GOMEMLIMIT", "1G");

        assertThat(GoMemLimit.launcherRefusal(List.of(new EnvVar("GOMEMLIMIT", null, FROM_CONFIG_MAP)), image))
                .isEmpty();
        assertThat(GoMemLimit.launcherRefusal(List.of(literal("$(LIMIT)GiB")), Map.of())).isEmpty();
        assertThat(GoMemLimit.launcherRefusal(List.of(literal("1G$")), Map.of())).isNotEmpty();
    }

    private static EnvVar literal(String value) {
        return new EnvVar("GOMEMLIMIT", value, null);
    }
}
