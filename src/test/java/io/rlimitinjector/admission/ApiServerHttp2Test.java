package io.rlimitinjector.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.ImageConfig;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.testing.KubeApiServer;
import io.rlimitinjector.testing.ProcessStats;
import io.rlimitinjector.testing.TestWebhook;
import io.rlimitinjector.testing.WebhookRegistration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API server's parallel calls to the webhook share one connection: it speaks HTTP/2 when offered, where over
 * HTTP/1.1 it would open a TLS connection for each call in flight.
 */
class ApiServerHttp2Test {
    /** As many as the webhook parses at once: a lookup that does not return holds its parsing slot. */
    static final int PARALLEL = ServerSettings.MAX_CONCURRENT_ADMISSIONS;
    static final String IMAGE = "registry.test/h2:1";

    @TempDir
    Path certificates;

    @Test
    void parallelAdmissionsShareOneConnection() throws Exception {
        KubeApiServer api = KubeApiServer.shared();
        KubernetesClient client = api.client();
        // Each admission's lookup waits until all of them are in the webhook at once, so the calls overlap.
        CountDownLatch allIn = new CountDownLatch(PARALLEL);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostInFlight = new AtomicInteger();
        EntrypointResolver together = (image, pod, namespace) -> {
            if (!image.equals(IMAGE)) {
                return EntrypointResolver.Lookup.failed("not this test's image");
            }
            mostInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            allIn.countDown();
            try {
                allIn.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            return EntrypointResolver.Lookup.found(new ImageConfig(List.of("/app"), List.of(), Map.of(), List.of()));
        };
        try (TestWebhook webhook = TestWebhook.start(certificates,
                new PodMutator(InjectionSettings.defaults(), together));
                WebhookRegistration registration = WebhookRegistration.register(client, "rlimit-injector-h2", "h2",
                        webhook.mutateUrl(), webhook.caBundle(), "Fail")) {
            String namespace = api.namespace("h2", WebhookRegistration.enabled("h2"));
            WebhookRegistration.awaitEffect(client, namespace, ApiServerPods::isInjected);
            int connectionsBefore = ProcessStats.establishedConnections(webhook.server().port());
            ExecutorService creators = Executors.newFixedThreadPool(PARALLEL);
            List<Future<Pod>> created = new ArrayList<>();
            for (int i = 0; i < PARALLEL; i++) {
                String name = "parallel-" + i;
                created.add(creators.submit(() -> client.pods().inNamespace(namespace).resource(pod(name)).create()));
            }
            for (Future<Pod> pod : created) {
                assertThat(ApiServerPods.isInjected(pod.get(30, TimeUnit.SECONDS))).isTrue();
            }
            creators.shutdown();
            assertThat(mostInFlight.get()).as("admissions in the webhook at once").isEqualTo(PARALLEL);
            assertThat(connectionsBefore).isEqualTo(1);
            assertThat(ProcessStats.establishedConnections(webhook.server().port()))
                    .as("connections from the API server").isEqualTo(1);
        }
    }

    /** No command: its program comes from a lookup, which is where the admissions wait for each other. */
    private static Pod pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addToContainers(new ContainerBuilder().withName("app").withImage(IMAGE)
                        .withNewResources().addToLimits("memory", new Quantity("128Mi")).endResources().build())
                .endSpec().build();
    }
}
