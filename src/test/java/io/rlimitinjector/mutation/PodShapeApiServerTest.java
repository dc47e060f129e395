package io.rlimitinjector.mutation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.testing.Golden;
import io.rlimitinjector.testing.KubeApiServer;
import io.rlimitinjector.testing.TestWebhook;
import io.rlimitinjector.testing.WebhookRegistration;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The install container never changes what a pod is. Each pod shape is created in an opted-in namespace and in an
 * unlabelled twin with the same LimitRange or ResourceQuota: the API server must accept or refuse both alike, give
 * both the same QoS class, and charge both the same to the quota. QoS class, LimitRanger and ResourceQuota all run
 * in the API server, so no node is needed.
 */
class PodShapeApiServerTest {
    /** Namespace policies, each a LimitRange or ResourceQuota (YAML, no namespace), or none. */
    static final Map<String, String> POLICIES = policies();
    /** Pod shapes, each with a memory limit the webhook acts on. */
    static final Map<String, String> SHAPES = shapes();

    @TempDir
    static Path certificates;
    static KubernetesClient client;
    static TestWebhook webhook;
    static WebhookRegistration registration;
    /** Policy name to its opted-in namespace and its unlabelled twin. */
    static final Map<String, String[]> NAMESPACES = new LinkedHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        KubeApiServer api = KubeApiServer.shared();
        client = api.client();
        webhook = TestWebhook.start(certificates, Golden.mutator(), Golden.RESOLVER);
        String group = "shape-" + UUID.randomUUID().toString().substring(0, 8);
        registration = WebhookRegistration.register(client, "rlimit-injector-" + group, group, webhook.mutateUrl(),
                webhook.caBundle(), "Fail");
        for (Map.Entry<String, String> policy : POLICIES.entrySet()) {
            String enabled = api.namespace(policy.getKey(), WebhookRegistration.enabled(group));
            String plain = api.namespace(policy.getKey(), WebhookRegistration.notEnabled(group));
            if (policy.getValue() != null) {
                for (String namespace : List.of(enabled, plain)) {
                    client.resource(policy.getValue()).inNamespace(namespace).create();
                }
            }
            NAMESPACES.put(policy.getKey(), new String[] {enabled, plain});
        }
        WebhookRegistration.awaitEffect(client, NAMESPACES.get("none")[0],
                pod -> pod.getMetadata().getAnnotations() != null
                        && pod.getMetadata().getAnnotations().containsKey(Contract.STATUS));
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

    static Stream<Arguments> policyAndShape() {
        return POLICIES.keySet().stream()
                .flatMap(policy -> SHAPES.keySet().stream().map(shape -> Arguments.of(policy, shape)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("policyAndShape")
    void theInjectedPodIsAdmittedAndClassedAsTheOriginal(String policy, String shape) {
        String[] namespaces = NAMESPACES.get(policy);
        Outcome injected = create(namespaces[0], shape);
        Outcome original = create(namespaces[1], shape);

        assertThat(injected.refusal()).as("refusal in the opted-in namespace").isEqualTo(original.refusal());
        assertThat(injected.qosClass()).as("QoS class").isEqualTo(original.qosClass());
        assertThat(quotaUsed(namespaces[0])).as("quota charged").isEqualTo(quotaUsed(namespaces[1]));
        if (injected.pod() != null) {
            assertThat(injected.pod().getSpec().getInitContainers()).extracting(Container::getName)
                    .as("the opted-in pod was injected").contains(Contract.INSTALL_CONTAINER);
        }
    }

    @Test
    void aGuaranteedPodNeedsOneWebhookCallAndItsInstallContainerNoToken() {
        long before = webhook.admissions();
        Outcome created = create(NAMESPACES.get("none")[0], "guaranteed");

        assertThat(webhook.admissions()).as("webhook calls for one pod").isEqualTo(before + 1);
        Container install = created.pod().getSpec().getInitContainers().get(0);
        assertThat(install.getName()).isEqualTo(Contract.INSTALL_CONTAINER);
        assertThat(install.getVolumeMounts()).as("no service-account token volume")
                .allSatisfy(mount -> assertThat(mount.getName()).isEqualTo(Contract.VOLUME));
        assertThat(created.pod().getSpec().getContainers().get(0).getVolumeMounts())
                .as("the app container still gets its token")
                .anySatisfy(mount -> assertThat(mount.getName()).startsWith("kube-api-access-"));
    }

    private static Outcome create(String namespace, String shape) {
        Pod pod = Json.YAML.readValue(SHAPES.get(shape), Pod.class);
        pod.getMetadata().setName(shape + "-" + UUID.randomUUID().toString().substring(0, 6));
        KubernetesClientException refused = catchThrowableOfType(KubernetesClientException.class,
                () -> client.pods().inNamespace(namespace).resource(pod).create());
        if (refused != null) {
            String reason = refused.getStatus() == null ? refused.getMessage() : refused.getStatus().getMessage();
            assertThat(reason).as("a refusal never names the install container").doesNotContain(Contract.INSTALL_CONTAINER);
            return new Outcome(null, null, refusal(refused, namespace, pod.getMetadata().getName()));
        }
        Pod stored = client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).get();
        return new Outcome(stored, stored.getStatus().getQosClass(), null);
    }

    /**
     * The code and what was wrong, without the pod's name and namespace, which differ between the twins. Causes are
     * sorted: the API server lists the errors of one validation in map order. A message that aggregates several
     * (LimitRanger's "[a, b]") has its parts sorted for the same reason.
     */
    private static String refusal(KubernetesClientException refused, String namespace, String name) {
        Status status = refused.getStatus();
        String what = status == null ? refused.getMessage()
                : status.getDetails() == null || status.getDetails().getCauses() == null
                        || status.getDetails().getCauses().isEmpty() ? sortedAggregate(status.getMessage())
                        : status.getDetails().getCauses().stream()
                                .map(cause -> cause.getField() + ": " + cause.getMessage()).sorted().toList().toString();
        return refused.getCode() + " " + what.replace(namespace, "NS").replace(name, "POD");
    }

    private static String sortedAggregate(String message) {
        int open = message.indexOf('[');
        if (open < 0 || !message.endsWith("]")) {
            return message;
        }
        return message.substring(0, open)
                + Arrays.stream(message.substring(open + 1, message.length() - 1).split(", ")).sorted().toList();
    }

    private static Map<String, Quantity> quotaUsed(String namespace) {
        List<ResourceQuota> quotas = client.resourceQuotas().inNamespace(namespace).list().getItems();
        return quotas.isEmpty() || quotas.get(0).getStatus() == null ? Map.of() : quotas.get(0).getStatus().getUsed();
    }

    private record Outcome(Pod pod, String qosClass, String refusal) {
    }

    private static Map<String, String> policies() {
        Map<String, String> policies = new LinkedHashMap<>();
        policies.put("none", null);
        policies.put("lr-min", limitRange("""
                    min: {cpu: 50m, memory: 64Mi}
                """));
        policies.put("lr-max", limitRange("""
                    max: {cpu: 800m, memory: 1Gi}
                """));
        policies.put("lr-default", limitRange("""
                    default: {cpu: 500m, memory: 512Mi}
                    defaultRequest: {cpu: 250m, memory: 256Mi}
                """));
        policies.put("lr-ratio", limitRange("""
                    maxLimitRequestRatio: {cpu: "4", memory: "2"}
                """));
        policies.put("lr-pod-max", """
                apiVersion: v1
                kind: LimitRange
                metadata: {name: pod-max}
                spec:
                  limits:
                  - type: Pod
                    max: {cpu: "1", memory: 1536Mi}
                """);
        policies.put("quota-compute", """
                apiVersion: v1
                kind: ResourceQuota
                metadata: {name: compute}
                spec:
                  hard: {requests.cpu: "8", requests.memory: 16Gi, limits.cpu: "8", limits.memory: 16Gi}
                """);
        // Exactly what one "guaranteed" pod asks: an install container that asked for more would not fit.
        policies.put("quota-tight", """
                apiVersion: v1
                kind: ResourceQuota
                metadata: {name: tight}
                spec:
                  hard: {requests.cpu: 200m, requests.memory: 256Mi, limits.cpu: 200m, limits.memory: 256Mi}
                """);
        return policies;
    }

    private static String limitRange(String containerLimits) {
        return """
                apiVersion: v1
                kind: LimitRange
                metadata: {name: container}
                spec:
                  limits:
                  - type: Container
                """ + containerLimits;
    }

    private static Map<String, String> shapes() {
        Map<String, String> shapes = new LinkedHashMap<>();
        shapes.put("guaranteed", pod("""
                  containers:
                  - name: app
                    image: registry.test/app:1
                    command: [app]
                    resources:
                      limits: {cpu: 200m, memory: 256Mi}
                """));
        shapes.put("guaranteed-two", pod("""
                  containers:
                  - name: app
                    image: registry.test/app:1
                    command: [app]
                    resources:
                      limits: {cpu: 300m, memory: 512Mi}
                  - name: cache
                    image: registry.test/cache:1
                    command: [cache]
                    resources:
                      limits: {cpu: 100m, memory: 128Mi}
                """));
        shapes.put("burstable", pod("""
                  containers:
                  - name: app
                    image: registry.test/app:1
                    command: [app]
                    resources:
                      requests: {cpu: 100m, memory: 128Mi}
                      limits: {cpu: 400m, memory: 256Mi}
                """));
        shapes.put("memory-limit-only", pod("""
                  containers:
                  - name: app
                    image: registry.test/app:1
                    command: [app]
                    resources:
                      limits: {memory: 256Mi}
                """));
        shapes.put("limited-and-unlimited", pod("""
                  containers:
                  - name: app
                    image: registry.test/app:1
                    command: [app]
                    resources:
                      limits: {memory: 256Mi}
                  - name: helper
                    image: registry.test/helper:1
                    command: [helper]
                """));
        shapes.put("init-and-sidecar", pod("""
                  initContainers:
                  - name: migrate
                    image: registry.test/migrate:1
                    command: [migrate]
                    resources:
                      limits: {cpu: 700m, memory: 768Mi}
                  - name: proxy
                    image: registry.test/proxy:1
                    command: [proxy]
                    restartPolicy: Always
                    resources:
                      limits: {cpu: 50m, memory: 64Mi}
                  containers:
                  - name: app
                    image: registry.test/app:1
                    command: [app]
                    resources:
                      limits: {cpu: 200m, memory: 256Mi}
                """));
        shapes.put("pod-level", pod("""
                  resources:
                    limits: {cpu: 500m, memory: 1Gi}
                  containers:
                  - name: app
                    image: registry.test/app:1
                    command: [app]
                    resources:
                      limits: {memory: 512Mi}
                  - name: helper
                    image: registry.test/helper:1
                    command: [helper]
                """));
        // The limit at pod level only: the install container copies the app's resources (none), as the app, bound
        // by the pod's; the pod's requests are defaulted from its limits alike in both twins.
        shapes.put("pod-level-only", pod("""
                  resources:
                    limits: {memory: 1Gi}
                  containers:
                  - name: app
                    image: registry.test/app:1
                    command: [app]
                """));
        // A sidecar's own limit above the pod's, which the API server allows for init containers only.
        shapes.put("pod-level-under-sidecar", pod("""
                  resources:
                    limits: {cpu: 500m, memory: 1Gi}
                  initContainers:
                  - name: proxy
                    image: registry.test/proxy:1
                    command: [proxy]
                    restartPolicy: Always
                    resources:
                      requests: {memory: 128Mi}
                      limits: {memory: 2Gi}
                  containers:
                  - name: app
                    image: registry.test/app:1
                    command: [app]
                    resources:
                      limits: {memory: 512Mi}
                """));
        return shapes;
    }

    private static String pod(String spec) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: shape}
                spec:
                """ + spec;
    }
}
