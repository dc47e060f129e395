package io.rlimitinjector.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.rlimitinjector.mutation.Contract;
import io.rlimitinjector.testing.Golden;
import io.rlimitinjector.testing.KubeApiServer;
import io.rlimitinjector.testing.TestWebhook;
import io.rlimitinjector.testing.WebhookRegistration;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The check against a real API server and our webhook registered with it, then stopped. */
class CheckApiServerTest {
    @TempDir
    Path certificates;

    @Test
    void explainsEachPodAndThenTheStoppedWebhook() throws Exception {
        KubeApiServer api = KubeApiServer.shared();
        KubernetesClient client = api.client();
        String group = "check-" + UUID.randomUUID().toString().substring(0, 8);
        String optedIn = api.namespace(group, WebhookRegistration.enabled(group));
        String notOptedIn = api.namespace(group + "-off", WebhookRegistration.notEnabled(group));
        Checker checker = new Checker(Golden.mutator(), Golden.RESOLVER);
        TestWebhook webhook = TestWebhook.start(certificates, Golden.mutator(), Golden.RESOLVER);
        try (WebhookRegistration registration = WebhookRegistration.register(client, "rlimit-injector-" + group, group,
                webhook.mutateUrl(), webhook.caBundle(), "Ignore")) {
            WebhookRegistration.awaitEffect(client, optedIn, pod -> pod.getMetadata().getAnnotations() != null
                    && pod.getMetadata().getAnnotations().containsKey(Contract.STATUS));
            ClusterReader reader = new ClusterReader(client, Clock.systemUTC(), registration.name());

            CheckReport injected = checker.check(reader.manifest(optedIn, pod("web", "128Mi", Map.of())));
            assertThat(injected.result()).isEqualTo(CheckReport.Result.WILL_BE_INJECTED);
            assertThat(injected.exitCode()).isZero();
            assertThat(injected.source()).isEqualTo("dry-run");
            assertThat(injected.containers()).singleElement()
                    .satisfies(container -> assertThat(container.wrapped()).isTrue());

            CheckReport namespaceOff = checker.check(reader.manifest(notOptedIn, pod("web", "128Mi", Map.of())));
            assertThat(namespaceOff.exitCode()).isEqualTo(1);
            assertThat(codes(namespaceOff)).containsExactly("namespace-not-selected");

            CheckReport labelOff = checker.check(reader.manifest(optedIn,
                    pod("web", "128Mi", Map.of(Contract.INJECT, "disabled"))));
            assertThat(labelOff.exitCode()).isEqualTo(1);
            assertThat(codes(labelOff)).containsExactly("pod-label-disabled");

            CheckReport noLimit = checker.check(reader.manifest(optedIn, pod("web", null, Map.of())));
            assertThat(noLimit.result()).isEqualTo(CheckReport.Result.NOT_INJECTED);
            assertThat(noLimit.source()).isEqualTo("dry-run");
            assertThat(codes(noLimit)).containsExactly("no-memory-limit");
            assertThat(noLimit.dryRunWarnings()).anyMatch(warning -> warning.contains("container \"app\" not wrapped"));

            client.pods().inNamespace(optedIn).resource(pod("running", "128Mi", Map.of())).create();
            CheckReport running = checker.check(reader.runningPod(optedIn, "running").orElseThrow());
            assertThat(running.result()).isEqualTo(CheckReport.Result.INJECTED);
            assertThat(running.source()).isEqualTo("status");
            assertThat(running.containers().get(0).rlimit()).isPositive();

            webhook.close();
            CheckReport stopped = checker.check(reader.manifest(optedIn, pod("web", "128Mi", Map.of())));
            assertThat(stopped.exitCode()).isEqualTo(3);
            assertThat(codes(stopped)).contains("webhook-not-answering");
            assertThat(stopped.source()).isEqualTo("prediction");
        } finally {
            webhook.close();
        }
    }

    private static Pod pod(String name, String memoryLimit, Map<String, String> labels) {
        ContainerBuilder container = new ContainerBuilder().withName("app").withImage("registry.test/app:1")
                .withCommand("app");
        if (memoryLimit != null) {
            container.withNewResources().addToLimits("memory", new Quantity(memoryLimit)).endResources();
        }
        return new PodBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().addToContainers(container.build()).endSpec().build();
    }

    /** The reasons and problems, not the notes. */
    private static List<String> codes(CheckReport report) {
        return report.findings().stream().filter(finding -> finding.kind() != Finding.Kind.NOTE)
                .map(Finding::code).toList();
    }
}
