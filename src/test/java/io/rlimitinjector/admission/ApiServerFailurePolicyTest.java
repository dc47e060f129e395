package io.rlimitinjector.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.rlimitinjector.testing.Golden;
import io.rlimitinjector.testing.KubeApiServer;
import io.rlimitinjector.testing.TestWebhook;
import io.rlimitinjector.testing.WebhookRegistration;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhook registered, then stopped: failurePolicy decides whether pods are still created. */
class ApiServerFailurePolicyTest {
    /** The registration's timeoutSeconds, plus room for a slow machine. */
    static final Duration WITHIN_TIMEOUT = Duration.ofSeconds(5 + 5);

    @TempDir
    Path certificates;

    @Test
    void withIgnorePodsAreCreatedUnchanged() throws Exception {
        KubeApiServer api = KubeApiServer.shared();
        try (Stopped stopped = registerThenStop(api, "Ignore")) {
            long start = System.nanoTime();
            Pod stored = api.client().pods().inNamespace(stopped.namespace).resource(ApiServerPods.minimal("ignored"))
                    .create();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(WITHIN_TIMEOUT);
            assertThat(ApiServerPods.isInjected(stored)).isFalse();
            assertThat(stored.getSpec().getContainers().get(0).getCommand()).containsExactly("app");
        }
    }

    @Test
    void withFailPodsAreRejectedWithTheApiServersMessage() throws Exception {
        KubeApiServer api = KubeApiServer.shared();
        try (Stopped stopped = registerThenStop(api, "Fail")) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> api.client().pods().inNamespace(stopped.namespace)
                    .resource(ApiServerPods.minimal("rejected")).create())
                    .isInstanceOf(KubernetesClientException.class)
                    .hasMessageContaining("Internal error occurred: failed calling webhook \"pods.rlimit-injector.io\"");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(WITHIN_TIMEOUT);
            assertThat(api.client().pods().inNamespace(stopped.namespace).withName("rejected").get()).isNull();
        }
    }

    /** A registration in effect whose webhook no longer runs. */
    private record Stopped(WebhookRegistration registration, String namespace) implements AutoCloseable {
        @Override
        public void close() {
            registration.close();
        }
    }

    private Stopped registerThenStop(KubeApiServer api, String failurePolicy) throws Exception {
        KubernetesClient client = api.client();
        String group = failurePolicy.toLowerCase() + "-" + UUID.randomUUID().toString().substring(0, 8);
        String namespace = api.namespace(group, WebhookRegistration.enabled(group));
        try (TestWebhook webhook = TestWebhook.start(certificates, Golden.mutator(), Golden.RESOLVER)) {
            WebhookRegistration registration = WebhookRegistration.register(client, "rlimit-injector-" + group, group,
                    webhook.mutateUrl(), webhook.caBundle(), failurePolicy);
            WebhookRegistration.awaitEffect(client, namespace, ApiServerPods::isInjected);
            return new Stopped(registration, namespace);
        }
    }
}
