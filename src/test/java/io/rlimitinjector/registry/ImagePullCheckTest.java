package io.rlimitinjector.registry;

import static io.rlimitinjector.registry.RegistryFixtures.newRepository;
import static io.rlimitinjector.testing.TestImagesOci.OCI_MANIFEST;
import static io.rlimitinjector.testing.TestImagesOci.config;
import static io.rlimitinjector.testing.TestImagesOci.pushImage;
import static io.rlimitinjector.testing.TestImagesOci.pushIndex;
import static org.assertj.core.api.Assertions.assertThat;

import io.rlimitinjector.testing.LocalRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launcher image check against a real registry on loopback: what a node could pull, and only that. */
class ImagePullCheckTest {
    private static final byte[] LAUNCHER = config(List.of("/launch"), null, Map.of(), "amd64");

    @TempDir
    Path dir;

    @Test
    void anExistingTagOrDigestResolvesAMissingOneDoesNot() throws Exception {
        LocalRegistry registry = LocalRegistry.plain();
        String repository = newRepository("launcher");
        String digest = pushIndex(registry, repository, "1", LAUNCHER, config(List.of("/launch"), null, Map.of(), "arm64"));
        String image = registry.host() + "/" + repository;
        ImagePullCheck check = new ImagePullCheck(plain(registry), null, null, List.of());

        assertThat(check.problem(image + ":1")).isEmpty();
        assertThat(check.problem(image + "@" + digest)).isEmpty();
        assertThat(check.problem(image + ":2")).hasValueSatisfying(problem -> assertThat(problem).contains("not found"));
        assertThat(check.problem(image + "@sha256:" + "1".repeat(64))).isPresent();
    }

    @Test
    void aRegistryThatIsDownDoesNotResolve() throws Exception {
        String host = LocalRegistry.downHost();
        ImagePullCheck check = new ImagePullCheck(
                RegistryFixtures.settings(Duration.ofSeconds(3), Set.of(host), Set.of(), null), null, null, List.of());

        assertThat(check.problem(host + "/launcher:1")).hasValueSatisfying(problem -> assertThat(problem)
                .contains("cannot connect to " + host));
    }

    /** The node asks the mirror first: an image only the mirror has resolves, the registry it stands for unasked. */
    @Test
    void theMirrorIsAskedFirst() throws Exception {
        LocalRegistry mirror = LocalRegistry.plain();
        String repository = newRepository("mirrored");
        pushImage(mirror, repository, "1", OCI_MANIFEST, LAUNCHER);
        RegistrySettings settings = new RegistrySettings(Duration.ofSeconds(3), Map.of("registry.test", mirror.host()),
                Set.of(mirror.host()), Set.of(), null, Duration.ofMinutes(5), 100);

        assertThat(new ImagePullCheck(settings, null, null, List.of()).problem("registry.test/" + repository + ":1"))
                .isEmpty();
        assertThat(mirror.clientRequests(repository)).isPositive();
    }

    /** A private registry: the launcher's pull secret, read from the webhook's namespace, opens it. */
    @Test
    void aPrivateImageResolvesWithTheLauncherPullSecretOnly() throws Exception {
        LocalRegistry registry = LocalRegistry.secured();
        String repository = newRepository("private-launcher");
        pushImage(registry, repository, "1", OCI_MANIFEST, LAUNCHER);
        String image = registry.host() + "/" + repository + ":1";
        // Listed as the webhook lists the launcher's registry: the operator named it.
        RegistrySettings settings = RegistryFixtures.settings(Duration.ofSeconds(3), Set.of(), Set.of(),
                RegistryFixtures.caFile(dir, registry.ca())).listing(registry.host());
        RegistryFixtures.InMemorySecrets secrets = new RegistryFixtures.InMemorySecrets()
                .add(RegistryFixtures.dockerConfigJson("webhook", "launcher-pull", registry.host(), LocalRegistry.USER,
                        LocalRegistry.PASSWORD))
                .add(RegistryFixtures.dockerConfigJson("tenant", "launcher-pull", registry.host(), LocalRegistry.USER,
                        LocalRegistry.PASSWORD));

        assertThat(new ImagePullCheck(settings, secrets, "webhook", List.of("launcher-pull")).problem(image)).isEmpty();
        assertThat(new ImagePullCheck(settings, secrets, "webhook", List.of()).problem(image))
                .hasValueSatisfying(problem -> assertThat(problem).contains("refused access"));
        // A name missing from the webhook's namespace says so, even where another namespace has it.
        assertThat(new ImagePullCheck(settings, secrets, "elsewhere", List.of("launcher-pull")).problem(image))
                .hasValueSatisfying(problem -> assertThat(problem).contains("refused access")
                        .contains("pull secret elsewhere/launcher-pull not found"));
    }

    private static RegistrySettings plain(LocalRegistry registry) {
        return RegistryFixtures.settings(Duration.ofSeconds(3), Set.of(registry.host()), Set.of(), null);
    }
}
