package io.rlimitinjector.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.rlimitinjector.testing.KubeApiServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code deploy/} as kustomize users take it, rendered by the real {@code kubectl kustomize} of the test binaries. */
class DeployKustomizationTest {
    private static final String DIGEST = "sha256:" + "0a".repeat(32);

    @Test
    void withoutChangesItIsTheRenderedFile() throws Exception {
        assertThat(Charts.parse(kustomize(Charts.DEPLOY.toAbsolutePath())))
                .containsExactlyInAnyOrderElementsOf(rendered());
    }

    @Test
    void imagesInAnOverlayChangeTheWebhookAndTheLauncherImage(@TempDir Path overlay) throws Exception {
        // kustomize refuses an absolute path to a base.
        Files.writeString(overlay.resolve("kustomization.yaml"), """
                resources: [%s]
                images:
                  - name: ghcr.io/rlimit-injector/rlimit-injector
                    newName: registry.example/me/rlimit-injector
                    digest: %s
                  - name: ghcr.io/rlimit-injector/launcher
                    newName: registry.example/me/launcher
                    newTag: "2.0"
                """.formatted(overlay.relativize(Charts.DEPLOY.toAbsolutePath()), DIGEST));
        String yaml = kustomize(overlay);
        assertThat(yaml).doesNotContain("ghcr.io/");
        List<HasMetadata> objects = Charts.parse(yaml);
        Container webhook = ManifestChecks.of(objects, Deployment.class).get(0).getSpec().getTemplate().getSpec()
                .getContainers().get(0);
        assertThat(webhook.getImage()).isEqualTo("registry.example/me/rlimit-injector@" + DIGEST);
        assertThat(webhook.getEnv()).extracting(EnvVar::getName, EnvVar::getValue)
                .contains(tuple("RLIMIT_INJECTOR_LAUNCHER_IMAGE", "registry.example/me/launcher:2.0"));
        // Nothing else moved: every other object and value is as rendered.
        assertThat(objects.stream().filter(object -> !(object instanceof Deployment)).toList())
                .containsExactlyInAnyOrderElementsOf(
                        rendered().stream().filter(object -> !(object instanceof Deployment)).toList());
    }

    private static List<HasMetadata> rendered() throws Exception {
        return Charts.parse(Files.readString(DeployManifests.DEFAULT.file(), StandardCharsets.UTF_8));
    }

    private static String kustomize(Path directory) throws Exception {
        Path out = Files.createTempFile("kustomize", ".yaml");
        Path err = Files.createTempFile("kustomize", ".err");
        try {
            Process process = new ProcessBuilder(KubeApiServer.binary("kubectl").toString(), "kustomize",
                    directory.toString()).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize ended").isTrue();
            assertThat(process.exitValue()).as("kubectl kustomize: %s", Files.readString(err)).isZero();
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }
}
