package io.rlimitinjector.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.rlimitinjector.testing.LineDiff;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

class DeployManifestsTest {

    @ParameterizedTest
    @FieldSource("io.rlimitinjector.install.DeployManifests#ALL")
    void deployIsTheChartRendered(DeployManifests manifests) throws Exception {
        String expected = manifests.render();
        String actual = Files.exists(manifests.file()) ? Files.readString(manifests.file(), StandardCharsets.UTF_8) : "";
        if (!actual.equals(expected)) {
            fail("%s is out of date with the chart; regenerate it with:%n  %s%n%s".formatted(manifests.file(),
                    DeployManifests.REGENERATE, LineDiff.diff(expected, actual)));
        }
    }

    @Test
    void deployHoldsOnlyTheRenderedFilesAndTheKustomization() throws Exception {
        try (Stream<Path> files = Files.walk(Charts.DEPLOY)) {
            assertThat(files.filter(Files::isRegularFile)).containsExactlyInAnyOrderElementsOf(Stream.concat(
                    DeployManifests.ALL.stream().map(DeployManifests::file), DeployManifests.KUSTOMIZATION.stream())
                    .toList());
        }
    }

    @ParameterizedTest
    @FieldSource("io.rlimitinjector.install.DeployManifests#ALL")
    void deployPassesOurChecks(DeployManifests manifests) {
        ManifestChecks.check(Charts.parse(manifests.render()), Charts.NAMESPACE);
    }
}
