package io.rlimitinjector.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.rlimitinjector.events.AdmissionEvents;
import io.rlimitinjector.events.EventResult;
import io.rlimitinjector.metrics.WebhookMetrics;
import io.rlimitinjector.mutation.Contract;
import io.rlimitinjector.testing.Eventually;
import io.rlimitinjector.testing.Golden;
import io.rlimitinjector.testing.KubeApiServer;
import io.rlimitinjector.testing.Kubectl;
import io.rlimitinjector.testing.TestWebhook;
import io.rlimitinjector.testing.WebhookRegistration;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve --events} against a real API server and controller manager, the Events sent as the chart's
 * ServiceAccount with exactly the RBAC the chart grants with {@code events.enabled=true}.
 */
class EventsApiServerTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path certificates;
    static KubeApiServer server;
    static KubernetesClient admin;
    static String release;
    static String releaseNamespace;
    static KubernetesClient serviceAccount;
    static WebhookMetrics metrics;
    static AdmissionEvents events;
    static TestWebhook webhook;
    static WebhookRegistration registration;
    static String enabled;

    @BeforeAll
    static void start() throws Exception {
        server = KubeApiServer.shared();
        admin = server.client();
        releaseNamespace = server.namespace("helm-events", Map.of());
        release = "rle-" + UUID.randomUUID().toString().substring(0, 6);
        new Helm(Charts.CHART).install().withName(release).withNamespace(releaseNamespace)
                .withKubeConfig(server.kubeconfig()).set("events.enabled", true)
                // The chart requires client authentication with events; its CA plays no part in this test.
                .set("clientAuth.enabled", true).set("clientAuth.caBundle", ChartTest.CLIENT_CA).call();
        serviceAccount = server.serviceAccountClient(releaseNamespace, release + "-rlimit-injector");
        metrics = new WebhookMetrics(Instant::now);
        events = AdmissionEvents.start(serviceAccount, "test-replica", metrics);
        webhook = TestWebhook.start(certificates, Golden.mutator(), Golden.RESOLVER, events::record);
        String group = "events-" + UUID.randomUUID().toString().substring(0, 8);
        registration = WebhookRegistration.register(admin, "rlimit-injector-" + group, group, webhook.mutateUrl(),
                webhook.caBundle(), "Fail");
        enabled = server.namespace("events", WebhookRegistration.enabled(group));
        WebhookRegistration.awaitEffect(admin, enabled, EventsApiServerTest::isInjected);
    }

    @AfterAll
    static void stop() throws Exception {
        if (registration != null) {
            registration.close();
        }
        if (webhook != null) {
            webhook.close();
        }
        if (events != null) {
            events.close();
        }
        if (serviceAccount != null) {
            serviceAccount.close();
        }
        if (release != null) {
            Helm.uninstall(release).withNamespace(releaseNamespace).withKubeConfig(server.kubeconfig()).call();
        }
    }

    @Test
    void aReplicaSetOfThreePodsGetsOneInjectedEvent() throws Exception {
        long sent = metrics.events(EventResult.SENT);
        long suppressed = metrics.events(EventResult.SUPPRESSED);
        admin.apps().deployments().inNamespace(enabled).resource(new DeploymentBuilder()
                .withNewMetadata().withName("shop").endMetadata()
                .withNewSpec().withReplicas(3)
                .withNewSelector().addToMatchLabels("app", "shop").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "shop").endMetadata()
                .withSpec(spec()).endTemplate()
                .endSpec().build()).create();
        Eventually.until("3 injected pods of the Deployment", TIMEOUT, () -> {
            List<Pod> pods = admin.pods().inNamespace(enabled).withLabel("app", "shop").list().getItems();
            return pods.size() == 3 && pods.stream().allMatch(EventsApiServerTest::isInjected);
        });
        // Every admission has been decided by now (before its answer); only the first was queued.
        assertThat(metrics.events(EventResult.SUPPRESSED)).isEqualTo(suppressed + 2);
        Eventually.until("the Event sent", TIMEOUT, () -> metrics.events(EventResult.SENT) == sent + 1);

        ReplicaSet replicaSet = admin.apps().replicaSets().inNamespace(enabled).withLabel("app", "shop").list()
                .getItems().get(0);
        assertThat(eventsOn(replicaSet.getMetadata().getUid())).singleElement().satisfies(event -> {
            assertThat(event.getReason()).isEqualTo("Injected");
            assertThat(event.getType()).isEqualTo("Normal");
            assertThat(event.getNote())
                    .isEqualTo("Pod " + replicaSet.getMetadata().getName() + "-*: wrapped app (mode auto)");
            assertThat(event.getRegarding().getKind()).isEqualTo("ReplicaSet");
            assertThat(event.getRegarding().getName()).isEqualTo(replicaSet.getMetadata().getName());
            assertThat(event.getReportingController()).isEqualTo(AdmissionEvents.REPORTING_CONTROLLER);
            assertThat(event.getReportingInstance()).isEqualTo("test-replica");
        });
        // What the README tells people to type, through the core v1 Events API that kubectl reads.
        Kubectl.Result listed = server.kubectl().run("", "get", "events", "-n", enabled, "-o", "name",
                "--field-selector", "reportingComponent=" + AdmissionEvents.REPORTING_CONTROLLER
                        + ",involvedObject.uid=" + replicaSet.getMetadata().getUid());
        assertThat(listed.exitCode()).as(listed.stderr()).isZero();
        assertThat(listed.stdout().lines()).hasSize(1);
    }

    @Test
    void aServerSideDryRunRecordsNothing() {
        String dryOwner = UUID.randomUUID().toString();
        String realOwner = UUID.randomUUID().toString();
        Pod dryRun = admin.pods().inNamespace(enabled).resource(owned("dry", "dry-owner", dryOwner)).dryRun().create();
        assertThat(isInjected(dryRun)).isTrue();
        long sent = metrics.events(EventResult.SENT);
        admin.pods().inNamespace(enabled).resource(owned("real", "real-owner", realOwner)).create();
        // One sending thread, in order: had the dry run queued an Event, it would be sent before this one.
        Eventually.until("the real pod's Event", TIMEOUT, () -> metrics.events(EventResult.SENT) == sent + 1);
        assertThat(eventsOn(realOwner)).hasSize(1);
        assertThat(eventsOn(dryOwner)).isEmpty();
    }

    @Test
    void theChartsRoleCreatesEventsButCannotReadThem() {
        assertThatThrownBy(() -> serviceAccount.events().v1().events().inNamespace(enabled).list())
                .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(403));
    }

    @Test
    void withoutEventsNothingIsRecorded(@TempDir Path directory) throws Exception {
        String group = "no-events-" + UUID.randomUUID().toString().substring(0, 8);
        try (TestWebhook quiet = TestWebhook.start(directory, Golden.mutator(), Golden.RESOLVER);
                WebhookRegistration quietRegistration = WebhookRegistration.register(admin,
                        "rlimit-injector-" + group, group, quiet.mutateUrl(), quiet.caBundle(), "Fail")) {
            String namespace = server.namespace("no-events", WebhookRegistration.enabled(group));
            WebhookRegistration.awaitEffect(admin, namespace, EventsApiServerTest::isInjected);
            admin.pods().inNamespace(namespace).resource(owned("quiet", "quiet-owner", "quiet-uid")).create();
            // Without --events no admission is handed on, so once the pod is stored there is nothing to wait for.
            assertThat(admin.events().v1().events().inNamespace(namespace).list().getItems())
                    .noneMatch(event -> AdmissionEvents.REPORTING_CONTROLLER.equals(event.getReportingController()));
        }
    }

    /** Ours only: the ReplicaSet controller records its own SuccessfulCreate on the same owner. */
    private static List<Event> eventsOn(String ownerUid) {
        return admin.events().v1().events().inNamespace(enabled).list().getItems().stream()
                .filter(event -> AdmissionEvents.REPORTING_CONTROLLER.equals(event.getReportingController()))
                .filter(event -> ownerUid.equals(event.getRegarding().getUid()))
                .toList();
    }

    /** A pod whose controller is a ReplicaSet that does not exist: the API server takes the reference as it is. */
    private static Pod owned(String name, String owner, String ownerUid) {
        return new PodBuilder().withNewMetadata().withName(name)
                .addToOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet")
                        .withName(owner).withUid(ownerUid).withController(true).build())
                .endMetadata().withSpec(spec()).build();
    }

    private static PodSpec spec() {
        return new PodBuilder().withNewSpec().addToContainers(new ContainerBuilder().withName("app")
                        .withImage("registry.test/app:1").withCommand("app")
                        .withNewResources().addToLimits("memory", new Quantity("128Mi")).endResources().build())
                .endSpec().build().getSpec();
    }

    private static boolean isInjected(Pod pod) {
        return pod.getMetadata().getAnnotations() != null
                && pod.getMetadata().getAnnotations().containsKey(Contract.STATUS);
    }
}
