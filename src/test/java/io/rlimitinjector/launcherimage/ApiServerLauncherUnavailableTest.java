package io.rlimitinjector.launcherimage;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.rlimitinjector.mutation.Contract;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.InjectionStatus;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.testing.KubeApiServer;
import io.rlimitinjector.testing.Kubectl;
import io.rlimitinjector.testing.TestWebhook;
import io.rlimitinjector.testing.WebhookRegistration;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Why the webhook answers rather than going unready while its launcher image cannot be pulled: an unready webhook is
 * an unreachable one, which with failurePolicy Fail rejects every pod ({@code ApiServerFailurePolicyTest}) and with
 * Ignore admits them without a word. Answering admits them under either policy, and says why.
 */
class ApiServerLauncherUnavailableTest {
    @TempDir
    Path certificates;

    @Test
    void withFailurePolicyFailPodsAreStillCreatedAndToldWhy() throws Exception {
        KubeApiServer api = KubeApiServer.shared();
        String group = "launcher-unavailable-" + UUID.randomUUID().toString().substring(0, 8);
        // Pullable while the webhook warms up and the registration takes effect, as after a healthy start.
        AtomicBoolean pullable = new AtomicBoolean(true);
        PodMutator mutator = new PodMutator(InjectionSettings.defaults(), pullable::get);
        try (TestWebhook webhook = TestWebhook.start(certificates, mutator, EntrypointResolver.NONE);
                WebhookRegistration registration = WebhookRegistration.register(api.client(),
                        "rlimit-injector-" + group, group, webhook.mutateUrl(), webhook.caBundle(), "Fail")) {
            String namespace = api.namespace("inject", WebhookRegistration.enabled(group));
            WebhookRegistration.awaitEffect(api.client(), namespace, pod -> pod.getMetadata().getAnnotations() != null
                    && pod.getMetadata().getAnnotations().containsKey(Contract.STATUS));
            pullable.set(false);

            Kubectl.Result created = api.kubectl().run("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: app}
                    spec:
                      containers: [{name: app, image: registry.test/app:1, command: [app], resources: {limits: {memory: 128Mi}}}]
                    """, "-n", namespace, "create", "-f", "-");

            assertThat(created.exitCode()).as(created.stderr()).isZero();
            assertThat(created.stderr()).contains("Warning: rlimit-injector: pod not changed (launcher-image-unavailable)");
            Pod stored = api.client().pods().inNamespace(namespace).withName("app").get();
            assertThat(stored.getSpec().getInitContainers()).isEmpty();
            assertThat(stored.getSpec().getContainers().get(0).getCommand()).containsExactly("app");
            assertThat(InjectionStatus.parse(stored.getMetadata().getAnnotations().get(Contract.STATUS)).orElseThrow()
                    .reason()).isEqualTo("launcher-image-unavailable");
        }
    }
}
