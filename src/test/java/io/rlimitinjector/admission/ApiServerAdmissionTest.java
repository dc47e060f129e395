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
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
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
    /** One webhook per delivery and settings, each for its own opted-in namespace. */
    static final Map<Golden, Installed> installed = new HashMap<>();
    static TestWebhook webhook;
    static String enabled;
    static String notEnabled;

    /** A webhook registered with the API server for the namespaces labelled with its group. */
    record Installed(TestWebhook webhook, WebhookRegistration registration, String enabled, String notEnabled) {
        static Installed start(Golden golden) throws Exception {
            TestWebhook webhook = TestWebhook.start(certificates.resolve(golden.toString()), golden.mutatorOf(), Golden.RESOLVER);
            String group = golden.toString().toLowerCase(Locale.ROOT) + "-" + UUID.randomUUID().toString().substring(0, 8);
            WebhookRegistration registration = WebhookRegistration.register(client, "rlimit-injector-" + group,
                    group, webhook.mutateUrl(), webhook.caBundle(), "Fail");
            String enabled = api.namespace("inject", WebhookRegistration.enabled(group));
            String notEnabled = api.namespace("plain", WebhookRegistration.notEnabled(group));
            WebhookRegistration.awaitEffect(client, enabled, ApiServerPods::isInjected);
            return new Installed(webhook, registration, enabled, notEnabled);
        }

        void close() {
            registration.close();
            webhook.close();
        }
    }

    @BeforeAll
    static void start() throws Exception {
        api = KubeApiServer.shared();
        client = api.client();
        for (Golden golden : Golden.ALL) {
            installed.put(golden, Installed.start(golden));
        }
        Installed initContainer = installed.get(Golden.INIT_CONTAINER);
        webhook = initContainer.webhook();
        enabled = initContainer.enabled();
        notEnabled = initContainer.notEnabled();
    }

    @AfterAll
    static void stop() {
        installed.values().forEach(Installed::close);
    }

    static Stream<Arguments> validShapes() throws IOException {
        return Golden.everyCase().filter(arguments -> !INVALID_FOR_API_SERVER.contains((String) arguments.get()[1]));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("validShapes")
    void goldenShapesAreStoredAsTheGoldenFilesSay(Golden golden, String name) throws IOException {
        String namespace = installed.get(golden).enabled();
        ObjectNode input = (ObjectNode) Golden.input(name);
        ObjectNode metadata = (ObjectNode) input.get("metadata");
        metadata.remove("namespace");
        if (metadata.has("name")) {
            metadata.put("name", name);
        }
        Pod created = client.pods().inNamespace(namespace)
                .resource(Json.MAPPER.treeToValue(input, Pod.class)).create();
        JsonNode stored = Json.MAPPER.valueToTree(
                client.pods().inNamespace(namespace).withName(created.getMetadata().getName()).get());
        JsonNode expected = golden.expected(name);

        assertThat(ApiServerPods.status(stored)).as("status annotation").isEqualTo(ApiServerPods.status(expected));
        for (String list : List.of("initContainers", "containers")) {
            assertThat(ApiServerPods.commandLines(stored, list)).as(list).isEqualTo(ApiServerPods.commandLines(expected, list));
            assertThat(ApiServerPods.mounts(stored, list)).as(list + " mounts").isEqualTo(ApiServerPods.mounts(expected, list));
        }
        assertThat(ApiServerPods.volumeNames(stored)).as("volumes").isEqualTo(ApiServerPods.volumeNames(expected));
        assertThat(ApiServerPods.launcherVolume(stored)).as("launcher volume")
                .isEqualTo(ApiServerPods.launcherVolume(expected));
        assertThat(stored.path("spec").path("imagePullSecrets")).as("imagePullSecrets")
                .isEqualTo(expected.path("spec").path("imagePullSecrets"));
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
    void aMinimalPodIsPatchedInOneCall() {
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
    void anImageVolumePodIsPatchedInOneCallWithNoInitContainer() {
        Installed imageVolume = installed.get(Golden.IMAGE_VOLUME);
        long mutated = imageVolume.webhook().server().metrics().admissions("mutated");
        long unchanged = imageVolume.webhook().server().metrics().admissions("unchanged");
        Pod stored = create(imageVolume.enabled(), ApiServerPods.minimal("minimal-pod"));
        assertThat(ApiServerPods.isInjected(stored)).isTrue();
        assertThat(stored.getSpec().getContainers().get(0).getCommand())
                .containsExactly("/rlimit-injector/launch", "--", "app");
        assertThat(stored.getSpec().getInitContainers()).isEmpty();
        assertThat(stored.getSpec().getVolumes()).filteredOn(volume -> "rlimit-injector".equals(volume.getName()))
                .singleElement()
                .satisfies(volume -> assertThat(volume.getImage().getReference())
                        .isEqualTo(Golden.SETTINGS.launcherImage()));
        // No container is added, so the ServiceAccount plugin has nothing new to change after us.
        assertThat(imageVolume.webhook().server().metrics().admissions("mutated")).isEqualTo(mutated + 1);
        assertThat(imageVolume.webhook().server().metrics().admissions("unchanged")).isEqualTo(unchanged);
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
