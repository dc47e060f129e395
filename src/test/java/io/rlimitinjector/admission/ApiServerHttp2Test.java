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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * HTTP/1.1 it would open a TLS connection for each call in flight. The JDK's own client cannot stand in for it here:
 * Java 17's fails the streams still open on a graceful GOAWAY instead of finishing them (JDK-8335181).
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
                new PodMutator(InjectionSettings.defaults()), together);
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

    /**
     * Draining, the webhook answers each call and sends its HTTP/2 connection a graceful GOAWAY, where HTTP/1.1 gets
     * {@code Connection: close}: the API server finishes what it sent and makes its next call on a new connection,
     * so no call is lost (the registration fails closed, so a lost call would reject its pod).
     */
    @Test
    void drainingMovesTheApiServerToANewConnectionWithoutLosingACall() throws Exception {
        KubeApiServer api = KubeApiServer.shared();
        KubernetesClient client = api.client();
        try (TestWebhook webhook = TestWebhook.start(certificates,
                new PodMutator(InjectionSettings.defaults()), EntrypointResolver.NONE);
                WebhookRegistration registration = WebhookRegistration.register(client, "rlimit-injector-drain",
                        "drain", webhook.mutateUrl(), webhook.caBundle(), "Fail")) {
            String namespace = api.namespace("drain", WebhookRegistration.enabled("drain"));
            WebhookRegistration.awaitEffect(client, namespace, ApiServerPods::isInjected);
            Set<String> before = ProcessStats.clientsOf(webhook.server().port());
            assertThat(before).hasSize(1);
            Thread drain = new Thread(() -> webhook.server().drain(Duration.ofSeconds(3)));
            drain.start();
            for (int i = 0; i < 5; i++) {
                Pod pod = client.pods().inNamespace(namespace).resource(ApiServerPods.minimal("drain-" + i)).create();
                assertThat(ApiServerPods.isInjected(pod)).isTrue();
            }
            drain.join();
            assertThat(ProcessStats.clientsOf(webhook.server().port())).doesNotContainAnyElementsOf(before);
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
