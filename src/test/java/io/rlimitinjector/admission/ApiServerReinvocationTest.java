package io.rlimitinjector.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.Delivery;
import io.rlimitinjector.testing.Golden;
import io.rlimitinjector.testing.KubeApiServer;
import io.rlimitinjector.testing.TestWebhook;
import io.rlimitinjector.testing.WebhookRegistration;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Our webhook before another mutating webhook that adds a container: with reinvocationPolicy IfNeeded the API server
 * calls us again, and we wrap the new container without wrapping the others twice, with either delivery.
 */
class ApiServerReinvocationTest {
    static final List<Golden> DELIVERIES = List.of(Golden.INIT_CONTAINER, Golden.IMAGE_VOLUME);

    // A parameterized test, not a parameterized class: surefire reports a class's invocations under "Class[1]" and
    // leaves tests="0" on the class itself.
    @ParameterizedTest(name = "{0}")
    @FieldSource("DELIVERIES")
    void theAddedContainerIsWrappedAndNothingTwice(Golden golden, @TempDir Path certificates) throws Exception {
        KubeApiServer api = KubeApiServer.shared();
        KubernetesClient client = api.client();
        String group = "reinvoke-" + UUID.randomUUID().toString().substring(0, 8);
        try (TestWebhook ours = TestWebhook.start(certificates, golden.mutatorOf(), Golden.RESOLVER);
                SidecarWebhook sidecar = SidecarWebhook.start();
                // Configurations run in name order: ours first, so only reinvocation can wrap the added container.
                WebhookRegistration oursRegistration = WebhookRegistration.register(client,
                        "a-rlimit-injector-" + group, group, ours.mutateUrl(), ours.caBundle(), "Fail");
                WebhookRegistration sidecarRegistration = WebhookRegistration.register(client, "b-sidecar-" + group,
                        group, sidecar.mutateUrl(), sidecar.caBundle(), "Fail")) {
            String namespace = api.namespace("reinvoke", WebhookRegistration.enabled(group));
            WebhookRegistration.awaitEffect(client, namespace, pod -> ApiServerPods.isInjected(pod)
                    && pod.getSpec().getContainers().stream()
                            .anyMatch(c -> c.getName().equals(SidecarWebhook.CONTAINER)));
            assertReinvoked(client, namespace, ours, golden.delivery());
        }
    }

    private static void assertReinvoked(KubernetesClient client, String namespace, TestWebhook ours,
            Delivery delivery) {
        long before = ours.admissions();
        Pod stored = client.pods().inNamespace(namespace).resource(ApiServerPods.minimal("reinvoked")).create();

        assertThat(stored.getSpec().getContainers()).extracting(Container::getName)
                .containsExactly("app", SidecarWebhook.CONTAINER);
        assertThat(stored.getSpec().getContainers().get(0).getCommand())
                .containsExactly("/rlimit-injector/launch", "--", "app");
        assertThat(stored.getSpec().getContainers().get(1).getCommand())
                .containsExactly("/rlimit-injector/launch", "--", "added", "--serve");
        List<String> install = delivery == Delivery.INIT_CONTAINER ? List.of("rlimit-injector-install") : List.of();
        assertThat(stored.getSpec().getInitContainers()).extracting(Container::getName)
                .containsExactlyElementsOf(install);
        assertThat(stored.getSpec().getVolumes()).filteredOn(v -> v.getName().equals("rlimit-injector")).singleElement()
                .satisfies(volume -> assertThat(volume.getImage() != null)
                        .isEqualTo(delivery == Delivery.IMAGE_VOLUME));
        assertThat(ApiServerPods.status(Json.MAPPER.valueToTree(stored)).path("delivery").asString())
                .isEqualTo(delivery.value());
        assertThat(ApiServerPods.status(Json.MAPPER.valueToTree(stored)).path("containers"))
                .extracting(c -> c.path("name").asString()).containsExactly("app", SidecarWebhook.CONTAINER);
        assertThat(ours.admissions()).as("called once, then once more after the sidecar webhook").isEqualTo(before + 2);
    }
}
