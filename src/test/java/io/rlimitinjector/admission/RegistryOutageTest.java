package io.rlimitinjector.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.registry.PullCredentials;
import io.rlimitinjector.registry.RegistryResolver;
import io.rlimitinjector.registry.RegistrySettings;
import io.rlimitinjector.testing.Reviews;
import io.rlimitinjector.testing.TestTls;
import io.rlimitinjector.testing.TestWebhook;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * A registry that stalls every lookup, for more pods at once than the server parses at once: pods that need no
 * lookup are still admitted, and the stalled ones are admitted with a skip reason when the registry gives up.
 */
class RegistryOutageTest {
    @TempDir
    Path certificates;

    @Test
    void podsWithoutLookupsAreAdmittedWhileMoreLookupsStallThanThereAreSlots() throws Exception {
        int stalledPods = 2 * ServerSettings.MAX_CONCURRENT_ADMISSIONS;
        try (StallingRegistry registry = new StallingRegistry()) {
            // A budget far longer than the test: only the registry's release ends the stall.
            RegistrySettings settings = new RegistrySettings(Duration.ofMinutes(10), Map.of(),
                    Set.of("http://" + registry.host()), Set.of(), null, Duration.ofMinutes(5), 100);
            try (TestWebhook webhook = TestWebhook.start(certificates, new PodMutator(InjectionSettings.defaults()),
                    new RegistryResolver(settings, PullCredentials.NONE))) {
                HttpClient client = HttpClient.newBuilder().sslContext(TestTls.trusting(webhook.ca().certificate()))
                        .build();
                List<CompletableFuture<HttpResponse<String>>> stalled = new ArrayList<>();
                for (int i = 0; i < stalledPods; i++) {
                    byte[] review = Reviews.oneContainerReview("stalled-" + i, registry.host() + "/app:" + i);
                    stalled.add(client.sendAsync(post(webhook, review), HttpResponse.BodyHandlers.ofString()));
                }
                assertThat(registry.awaitConnections(stalledPods))
                        .as("every stalled pod's lookup reaches the registry; none waits for a slot behind the others")
                        .isTrue();

                HttpResponse<String> plain = client.send(post(webhook, Reviews.oneContainerReview("plain", null)),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(plain.statusCode()).isEqualTo(200);
                JsonNode answer = Json.MAPPER.readTree(plain.body()).get("response");
                assertThat(answer.get("allowed").asBoolean()).isTrue();
                assertThat(answer.has("patch")).isTrue();
                assertThat(stalled).noneMatch(CompletableFuture::isDone);

                registry.release();
                for (int i = 0; i < stalledPods; i++) {
                    HttpResponse<String> response = stalled.get(i).get();
                    assertThat(response.statusCode()).isEqualTo(200);
                    JsonNode review = Json.MAPPER.readTree(response.body());
                    String image = registry.host() + "/app:" + i;
                    assertThat(review.at("/response/allowed").asBoolean()).isTrue();
                    assertThat(review.at("/response/warnings/0").asString())
                            .contains("container \"app\" not wrapped: entrypoint of image " + image + " unknown");
                    JsonNode stored = Reviews.patched(Reviews.pod(Reviews.oneContainerPod("stalled-" + i, image)), review);
                    assertThat(stored.at("/metadata/annotations/rlimit-injector.io~1status").asString())
                            .contains("entrypoint-unknown");
                }
            }
        }
    }

    private static HttpRequest post(TestWebhook webhook, byte[] body) {
        return HttpRequest.newBuilder(webhook.mutateUrl()).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    }

    /**
     * Accepts connections and holds them unanswered until released, then closes them and every later one: a
     * registry that stalls, then goes down.
     */
    private static final class StallingRegistry implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        private final List<Socket> held = new ArrayList<>();
        private final Semaphore accepted = new Semaphore(0);
        private boolean released;

        StallingRegistry() throws IOException {
            Thread acceptor = new Thread(this::accept, "stalling-registry");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String host() {
            return "127.0.0.1:" + socket.getLocalPort();
        }

        /** Whether {@code count} connections came, within a bound far above any lookup's start. */
        boolean awaitConnections(int count) throws InterruptedException {
            return accepted.tryAcquire(count, 60, TimeUnit.SECONDS);
        }

        synchronized void release() throws IOException {
            released = true;
            for (Socket connection : held) {
                connection.close();
            }
        }

        private void accept() {
            try {
                while (true) {
                    Socket connection = socket.accept();
                    synchronized (this) {
                        if (released) {
                            connection.close();
                        } else {
                            held.add(connection);
                        }
                    }
                    accepted.release();
                }
            } catch (IOException e) {
                // closed
            }
        }

        @Override
        public void close() throws IOException {
            release();
            socket.close();
        }
    }
}
