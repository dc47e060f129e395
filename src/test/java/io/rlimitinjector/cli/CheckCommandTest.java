package io.rlimitinjector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Usage errors exit 2 before any cluster is contacted. */
class CheckCommandTest {
    @TempDir
    Path directory;

    @Test
    void wrongArgumentsExit2() {
        assertThat(Main.run(List.of("check", "deployment/web"))).isEqualTo(2);
        assertThat(Main.run(List.of("check", "pod/web", "-f", "pod.yaml"))).isEqualTo(2);
        assertThat(Main.run(List.of("check", "-o", "yaml"))).isEqualTo(2);
        assertThat(Main.run(List.of("check", "-f", directory.resolve("missing.yaml").toString()))).isEqualTo(2);
    }

    @Test
    void aFileThatIsNotOnePodExits2() throws Exception {
        Path deployment = directory.resolve("deployment.yaml");
        Files.writeString(deployment, "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n");
        assertThat(Main.run(List.of("check", "-f", deployment.toString()))).isEqualTo(2);
    }
}
