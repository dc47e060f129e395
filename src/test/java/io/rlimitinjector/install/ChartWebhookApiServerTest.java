package io.rlimitinjector.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.testing.KubeApiServer;
import io.rlimitinjector.testing.TestWebhook;
import io.rlimitinjector.testing.WebhookRegistration;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart's own webhook entry, pointed at an in-process webhook, deciding what a real API server sends it. */
class ChartWebhookApiServerTest {
    private static final String MIRROR = "kubernetes.io/config.mirror";

    @Test
    void mirrorPodsNeverReachTheWebhook(@TempDir Path directory) throws Exception {
        KubeApiServer server = KubeApiServer.shared();
        KubernetesClient client = server.client();
        String group = "mirror-" + UUID.randomUUID().toString().substring(0, 6);
        String namespace = server.namespace("mirror", WebhookRegistration.enabled(group));
        try (TestWebhook webhook = TestWebhook.start(directory,
                new PodMutator(InjectionSettings.defaults()), EntrypointResolver.NONE)) {
            MutatingWebhookConfiguration configuration = client.admissionRegistration().v1()
                    .mutatingWebhookConfigurations().resource(chartWebhookCalling(webhook, group)).create();
            try {
                WebhookRegistration.awaitEffect(client, namespace, ChartWebhookApiServerTest::injected);
                long before = webhook.admissions();

                Pod mirror = client.pods().inNamespace(namespace).resource(pod("static-web", Map.of(MIRROR, "0f1e")))
                        .create();
                Pod ordinary = client.pods().inNamespace(namespace).resource(pod("web", Map.of())).create();

                assertThat(injected(mirror)).isFalse();
                assertThat(injected(ordinary)).isTrue();
                assertThat(webhook.admissions() - before).as("calls for the two pods").isEqualTo(1);
            } finally {
                client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(configuration).delete();
            }
        }
    }

    /** The chart's webhook with its rules and matchConditions, calling the test's URL for one test group only. */
    private static MutatingWebhookConfiguration chartWebhookCalling(TestWebhook webhook, String group) {
        MutatingWebhook chart = Charts.render(Map.of()).stream()
                .filter(MutatingWebhookConfiguration.class::isInstance).map(MutatingWebhookConfiguration.class::cast)
                .findFirst().orElseThrow().getWebhooks().get(0);
        assertThat(chart.getMatchConditions()).as("the chart's matchConditions").isNotEmpty();
        return new MutatingWebhookConfigurationBuilder()
                .withNewMetadata().withName("chart-" + group).endMetadata()
                .addToWebhooks(new MutatingWebhookBuilder(chart)
                        .withNewClientConfig().withUrl(webhook.mutateUrl().toString())
                        .withCaBundle(webhook.caBundle()).endClientConfig()
                        .withNamespaceSelector(new LabelSelectorBuilder()
                                .withMatchLabels(WebhookRegistration.enabled(group)).build())
                        .build())
                .build();
    }

    private static Pod pod(String name, Map<String, String> annotations) {
        return new PodBuilder().withNewMetadata().withName(name).withAnnotations(annotations).endMetadata()
                .withNewSpec().withNodeName("node-1")
                .addToContainers(new ContainerBuilder().withName("web").withImage("registry.test/web:1")
                        .withCommand("web").withNewResources().addToLimits("memory", new Quantity("64Mi"))
                        .endResources().build())
                .endSpec().build();
    }

    private static boolean injected(Pod pod) {
        return pod.getMetadata().getAnnotations() != null
                && pod.getMetadata().getAnnotations().containsKey("rlimit-injector.io/status");
    }
}
