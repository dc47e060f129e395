package io.rlimitinjector.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import io.rlimitinjector.testing.LineDiff;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class DeployManifestsTest {

    @Test
    void deployIsTheChartRenderedWithDefaults() throws Exception {
        String expected = DeployManifests.render();
        String actual = Files.exists(DeployManifests.FILE)
                ? Files.readString(DeployManifests.FILE, StandardCharsets.UTF_8) : "";
        if (!actual.equals(expected)) {
            fail("deploy/ is out of date with the chart; regenerate it with:%n  %s%n%s".formatted(
                    DeployManifests.REGENERATE, LineDiff.diff(expected, actual)));
        }
        try (var files = Files.list(Charts.DEPLOY)) {
            assertThat(files).as("deploy/ holds only the rendered file").containsExactly(DeployManifests.FILE);
        }
    }

    @Test
    void deployPassesOurChecks() {
        ManifestChecks.check(Charts.parse(DeployManifests.render()), Charts.NAMESPACE);
    }
}
