package io.rlimitinjector.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.testing.Eventually;
import io.rlimitinjector.testing.Golden;
import io.rlimitinjector.testing.KubeApiServer;
import io.rlimitinjector.testing.Kubectl;
import io.rlimitinjector.testing.Reviews;
import io.rlimitinjector.testing.TestWebhook;
import io.rlimitinjector.testing.WebhookRegistration;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Our webhook admitted by a real kube-apiserver over TLS: what the API server stores is what we assert on. */
class ApiServerAdmissionTest {
    /**
     * Golden shapes the API server itself rejects before admission webhooks run: a memory limit that is not a
     * quantity fails decoding.
     */
    static final Set<String> INVALID_FOR_API_SERVER = Set.of("invalid-quantity");

    @TempDir
    static Path certificates;
    static KubeApiServer api;
    static KubernetesClient client;
    static TestWebhook webhook;
    static WebhookRegistration registration;
    static String enabled;
    static String notEnabled;

    @BeforeAll
    static void start() throws Exception {
        api = KubeApiServer.shared();
        client = api.client();
        webhook = TestWebhook.start(certificates, Golden.mutator());
        String group = "main-" + UUID.randomUUID().toString().substring(0, 8);
        registration = WebhookRegistration.register(client, "rlimit-injector-" + group, group, webhook.mutateUrl(),
                webhook.caBundle(), "Fail");
        enabled = api.namespace("inject", WebhookRegistration.enabled(group));
        notEnabled = api.namespace("plain", WebhookRegistration.notEnabled(group));
        WebhookRegistration.awaitEffect(client, enabled, ApiServerPods::isInjected);
    }

    @AfterAll
    static void stop() {
        if (registration != null) {
            registration.close();
        }
        if (webhook != null) {
            webhook.close();
        }
    }

    static Stream<String> validShapes() throws IOException {
        return Golden.cases().stream().filter(name -> !INVALID_FOR_API_SERVER.contains(name));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("validShapes")
    void goldenShapesAreStoredAsTheGoldenFilesSay(String name) throws IOException {
        ObjectNode input = (ObjectNode) Golden.input(name);
        ObjectNode metadata = (ObjectNode) input.get("metadata");
        metadata.remove("namespace");
        if (metadata.has("name")) {
            metadata.put("name", name);
        }
        Pod created = client.pods().inNamespace(enabled)
                .resource(Json.MAPPER.treeToValue(input, Pod.class)).create();
        JsonNode stored = Json.MAPPER.valueToTree(
                client.pods().inNamespace(enabled).withName(created.getMetadata().getName()).get());
        JsonNode expected = Golden.expected(name);

        assertThat(ApiServerPods.status(stored)).as("status annotation").isEqualTo(ApiServerPods.status(expected));
        for (String list : List.of("initContainers", "containers")) {
            assertThat(ApiServerPods.commandLines(stored, list)).as(list).isEqualTo(ApiServerPods.commandLines(expected, list));
        }
        assertThat(ApiServerPods.volumeNames(stored)).as("volumes").isEqualTo(ApiServerPods.volumeNames(expected));
    }

    @Test
    void podsInANamespaceWithoutTheLabelAreUntouchedAndNotSent() {
        long before = webhook.admissions();
        Pod stored = create(notEnabled, ApiServerPods.python("plain"));
        assertThat(ApiServerPods.isInjected(stored)).isFalse();
        assertThat(stored.getSpec().getContainers().get(0).getCommand()).containsExactly("python", "app.py");
        assertThat(stored.getSpec().getInitContainers()).isEmpty();
        assertThat(webhook.admissions()).isEqualTo(before);
    }

    @Test
    void podsLabelledDisabledAreUntouchedAndNotSent() {
        Pod pod = ApiServerPods.python("disabled");
        pod.getMetadata().setLabels(Map.of(WebhookRegistration.INJECT_LABEL, "disabled"));
        long before = webhook.admissions();
        Pod stored = create(enabled, pod);
        assertThat(ApiServerPods.isInjected(stored)).isFalse();
        assertThat(stored.getSpec().getContainers().get(0).getCommand()).containsExactly("python", "app.py");
        assertThat(webhook.admissions()).isEqualTo(before);
    }

    @Test
    void aMinimalPodIsPatched() {
        long mutated = webhook.server().metrics().admissions("mutated");
        long unchanged = webhook.server().metrics().admissions("unchanged");
        Pod stored = create(enabled, ApiServerPods.minimal("minimal-pod"));
        assertThat(ApiServerPods.isInjected(stored)).isTrue();
        assertThat(stored.getSpec().getContainers().get(0).getCommand())
                .containsExactly("/rlimit-injector/launch", "--", "app");
        assertThat(stored.getSpec().getInitContainers()).extracting(c -> c.getName())
                .containsExactly("rlimit-injector-install");
        // One call: the ServiceAccount plugin, rerun after us, finds a mount at the token path in our init container
        // and changes nothing, so the API server does not reinvoke us.
        assertThat(webhook.server().metrics().admissions("mutated")).isEqualTo(mutated + 1);
        assertThat(webhook.server().metrics().admissions("unchanged")).isEqualTo(unchanged);
    }

    @Test
    void aServerSideDryRunIsMutatedLikeARealCreate() {
        Pod dryRun = client.pods().inNamespace(enabled).resource(ApiServerPods.python("dry")).dryRun().create();
        assertThat(client.pods().inNamespace(enabled).withName("dry").get()).isNull();
        Pod real = create(enabled, ApiServerPods.python("dry"));
        assertThat(ApiServerPods.isInjected(dryRun)).isTrue();
        // Not the whole spec: the token volume's name is random per request.
        JsonNode dry = Json.MAPPER.valueToTree(dryRun);
        JsonNode stored = Json.MAPPER.valueToTree(real);
        assertThat(ApiServerPods.status(dry)).isEqualTo(ApiServerPods.status(stored));
        for (String list : List.of("initContainers", "containers")) {
            assertThat(ApiServerPods.commandLines(dry, list)).isEqualTo(ApiServerPods.commandLines(stored, list));
        }
        assertThat(ApiServerPods.volumeNames(dry)).isEqualTo(ApiServerPods.volumeNames(stored));
    }

    @Test
    void kubectlPrintsOurWarningsForASkippedContainer() throws Exception {
        String pod = Reviews.PYTHON_POD.replace("name: api\nspec", "name: warned\nspec");
        Kubectl.Result result = api.kubectl().run(pod, "create", "-n", enabled, "-f", "-");
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        assertThat(result.stdout()).contains("pod/warned created");
        assertThat(result.stderr()).contains("Warning: rlimit-injector: container \"logs\" not wrapped");
    }

    @Test
    void aDeploymentsPodsAreMutated() {
        Deployment deployment = new DeploymentBuilder().withNewMetadata().withName("shop").endMetadata()
                .withNewSpec().withReplicas(2)
                .withNewSelector().addToMatchLabels("app", "deployed").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "deployed").endMetadata()
                .withSpec(ApiServerPods.python("unused").getSpec()).endTemplate()
                .endSpec().build();
        client.apps().deployments().inNamespace(enabled).resource(deployment).create();
        Eventually.until("2 pods of the Deployment", Duration.ofSeconds(60),
                () -> client.pods().inNamespace(enabled).withLabel("app", "deployed").list().getItems().size() == 2);
        for (Pod pod : client.pods().inNamespace(enabled).withLabel("app", "deployed").list().getItems()) {
            assertThat(pod.getMetadata().getGenerateName()).startsWith("shop-");
            assertThat(ApiServerPods.isInjected(pod)).isTrue();
            assertThat(pod.getSpec().getContainers().get(0).getCommand())
                    .containsExactly("/rlimit-injector/launch", "--", "python", "app.py");
        }
    }

    private static Pod create(String namespace, Pod pod) {
        return client.pods().inNamespace(namespace).resource(pod).create();
    }
}
