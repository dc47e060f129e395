package io.rlimitinjector.launcherimage;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlimitinjector.admission.AdmissionReviewHandler;
import io.rlimitinjector.inject.Admission;
import io.rlimitinjector.inject.PodInjector;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.InjectionStatus;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.registry.ImagePullCheck;
import io.rlimitinjector.registry.RegistrySettings;
import io.rlimitinjector.testing.Eventually;
import io.rlimitinjector.testing.LocalRegistry;
import io.rlimitinjector.testing.Reviews;
import io.rlimitinjector.testing.TestImagesOci;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The webhook with its launcher image in a real registry on loopback: while the image cannot be pulled, pods are
 * admitted unchanged with the reason; once it can, they are mutated again, without a restart.
 */
class LauncherImageCheckTest {
    private static final Duration PERIOD = Duration.ofMillis(200);

    @Test
    void podsAreAdmittedUnchangedUntilTheLauncherImageAppears() throws Exception {
        LocalRegistry registry = LocalRegistry.plain();
        String repository = "test/launcher-appears-" + UUID.randomUUID();
        String launcher = registry.host() + "/" + repository + ":1";
        RegistrySettings settings = new RegistrySettings(Duration.ofSeconds(3), Map.of(), Set.of(registry.host()),
                Set.of(), null, Duration.ofMinutes(5), 100);
        LauncherImageCheck check = LauncherImageCheck.start(launcher,
                new ImagePullCheck(settings, null, null, List.of())::problem, PERIOD);
        AdmissionReviewHandler webhook = new AdmissionReviewHandler(new PodInjector(new PodMutator(
                InjectionSettings.defaults().withLauncherImage(launcher), check)));

        assertThat(check.getAsBoolean()).isFalse();
        JsonNode review = admit(webhook, "before");
        JsonNode pod = Reviews.patched(Reviews.pod(Reviews.PYTHON_POD), review);
        assertThat(pod.path("spec").path("initContainers").isMissingNode()).isTrue();
        assertThat(pod.path("spec").path("containers").get(0).path("command").toString())
                .isEqualTo("[\"python\",\"app.py\"]");
        InjectionStatus status = InjectionStatus.parse(
                pod.path("metadata").path("annotations").path("rlimit-injector.io/status").asString()).orElseThrow();
        assertThat(status.reason()).isEqualTo("launcher-image-unavailable");
        assertThat(review.path("response").path("allowed").asBoolean()).isTrue();
        assertThat(review.path("response").path("warnings").toString()).contains("launcher-image-unavailable")
                // The registry's answer is for the log: a pod author learns nothing about the network from it.
                .doesNotContain(registry.host()).doesNotContain("not found");

        TestImagesOci.pushImage(registry, repository, "1", TestImagesOci.OCI_MANIFEST,
                TestImagesOci.config(List.of("/launch"), null, Map.of(), "amd64"));
        Eventually.until("the check to find the launcher image", Duration.ofSeconds(10), check);

        JsonNode after = Reviews.patched(Reviews.pod(Reviews.PYTHON_POD), admit(webhook, "after"));
        assertThat(after.path("spec").path("initContainers").get(0).path("image").asString()).isEqualTo(launcher);
        assertThat(after.path("spec").path("containers").get(0).path("command").get(0).asString())
                .isEqualTo("/rlimit-injector/launch");
    }

    /** An outage that begins later is noticed too, at the next check. */
    @Test
    void anImageThatStopsResolvingIsNoticed() {
        AtomicReference<Optional<String>> registry = new AtomicReference<>(Optional.empty());
        LauncherImageCheck check = LauncherImageCheck.start("registry.test/launcher:1", image -> registry.get(), PERIOD);
        assertThat(check.getAsBoolean()).isTrue();

        registry.set(Optional.of("cannot connect to registry.test"));
        Eventually.until("the check to notice the outage", Duration.ofSeconds(10), () -> !check.getAsBoolean());
        registry.set(Optional.empty());
        Eventually.until("the check to notice the recovery", Duration.ofSeconds(10), check);
    }

    private static JsonNode admit(AdmissionReviewHandler webhook, String uid) {
        Admission admission = webhook.handle(Json.MAPPER.writeValueAsBytes(
                Reviews.podCreate(uid, "shop", Reviews.pod(Reviews.PYTHON_POD))), EntrypointResolver.NONE);
        return Reviews.sent(admission);
    }
}
