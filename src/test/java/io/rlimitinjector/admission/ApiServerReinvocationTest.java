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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Our webhook before another mutating webhook that adds a container: with reinvocationPolicy IfNeeded the API server
 * calls us again, and we wrap the new container without wrapping the others twice, with either delivery.
 */
@ParameterizedClass(name = "{0}")
@FieldSource("DELIVERIES")
class ApiServerReinvocationTest {
    static final List<Golden> DELIVERIES = List.of(Golden.INIT_CONTAINER, Golden.IMAGE_VOLUME);
    @TempDir
    static Path certificates;
    static KubernetesClient client;
    static TestWebhook ours;
    static SidecarWebhook sidecar;
    static WebhookRegistration oursRegistration;
    static WebhookRegistration sidecarRegistration;
    static String namespace;

    @Parameter
    Golden golden;

    @BeforeParameterizedClassInvocation
    static void start(Golden golden) throws Exception {
        KubeApiServer api = KubeApiServer.shared();
        client = api.client();
        ours = TestWebhook.start(certificates.resolve(golden.toString()), golden.mutatorOf(), Golden.RESOLVER);
        sidecar = SidecarWebhook.start();
        String group = "reinvoke-" + UUID.randomUUID().toString().substring(0, 8);
        // Configurations run in name order: ours first, so only reinvocation can wrap the added container.
        oursRegistration = WebhookRegistration.register(client, "a-rlimit-injector-" + group, group, ours.mutateUrl(),
                ours.caBundle(), "Fail");
        sidecarRegistration = WebhookRegistration.register(client, "b-sidecar-" + group, group, sidecar.mutateUrl(),
                sidecar.caBundle(), "Fail");
        namespace = api.namespace("reinvoke", WebhookRegistration.enabled(group));
        WebhookRegistration.awaitEffect(client, namespace, pod -> ApiServerPods.isInjected(pod)
                && pod.getSpec().getContainers().stream().anyMatch(c -> c.getName().equals(SidecarWebhook.CONTAINER)));
    }

    /** Null checks: after a skip in {@link #start()} some of these never started. */
    @AfterParameterizedClassInvocation
    static void stop() throws Exception {
        for (AutoCloseable started : new AutoCloseable[] {oursRegistration, sidecarRegistration, ours, sidecar}) {
            if (started != null) {
                started.close();
            }
        }
    }

    @Test
    void theAddedContainerIsWrappedAndNothingTwice() {
        long before = ours.admissions();
        Pod stored = client.pods().inNamespace(namespace).resource(ApiServerPods.minimal("reinvoked")).create();

        assertThat(stored.getSpec().getContainers()).extracting(Container::getName)
                .containsExactly("app", SidecarWebhook.CONTAINER);
        assertThat(stored.getSpec().getContainers().get(0).getCommand())
                .containsExactly("/rlimit-injector/launch", "--", "app");
        assertThat(stored.getSpec().getContainers().get(1).getCommand())
                .containsExactly("/rlimit-injector/launch", "--", "added", "--serve");
        List<String> install = golden.delivery() == Delivery.INIT_CONTAINER ? List.of("rlimit-injector-install") : List.of();
        assertThat(stored.getSpec().getInitContainers()).extracting(Container::getName)
                .containsExactlyElementsOf(install);
        assertThat(stored.getSpec().getVolumes()).filteredOn(v -> v.getName().equals("rlimit-injector")).singleElement()
                .satisfies(volume -> assertThat(volume.getImage() != null)
                        .isEqualTo(golden.delivery() == Delivery.IMAGE_VOLUME));
        assertThat(ApiServerPods.status(Json.MAPPER.valueToTree(stored)).path("delivery").asString())
                .isEqualTo(golden.delivery().value());
        assertThat(ApiServerPods.status(Json.MAPPER.valueToTree(stored)).path("containers"))
                .extracting(c -> c.path("name").asString()).containsExactly("app", SidecarWebhook.CONTAINER);
        assertThat(ours.admissions()).as("called once, then once more after the sidecar webhook").isEqualTo(before + 2);
    }
}
