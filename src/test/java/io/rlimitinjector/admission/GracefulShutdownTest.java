package io.rlimitinjector.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlimitinjector.certs.CertificateAuthority;
import io.rlimitinjector.inject.PodInjector;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.testing.Reviews;
import io.rlimitinjector.testing.TestTls;
import io.rlimitinjector.tls.ReloadingTlsContext;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Stopping the server, as on SIGTERM, lets a request in flight finish and answers it in full. Over HTTP/1.1: over
 * HTTP/2 the server says the same with a graceful GOAWAY, on which Java 17's client fails the streams still open
 * instead of finishing them (JDK-8335181); the API server's Go client finishes them.
 */
class GracefulShutdownTest {
    @TempDir
    Path certificates;

    @Test
    void requestInFlightCompletesWhileTheServerStops() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("test-ca", Duration.ofHours(1));
        TestTls tls = new TestTls(certificates);
        tls.publish(TestTls.localPair(ca));
        CountDownLatch lookupStarted = new CountDownLatch(1);
        EntrypointResolver slow = (image, pod, namespace) -> {
            if (image.equals("slow.example/app:1")) {
                lookupStarted.countDown();
                sleep(1500);
            }
            return EntrypointResolver.Lookup.failed("not found");
        };
        AdmissionServer server = AdmissionServer.start(
                new ServerSettings("127.0.0.1", 0, 0, tls.certificateFile(), tls.keyFile(), Duration.ofSeconds(1)),
                new AdmissionReviewHandler(new PodInjector(new PodMutator(InjectionSettings.defaults()))), slow,
                ReloadingTlsContext.watch(tls.certificateFile(), tls.keyFile(), Duration.ofSeconds(1)));
        HttpClient client = HttpClient.newBuilder().sslContext(TestTls.trusting(ca.certificate()))
                .version(HttpClient.Version.HTTP_1_1).build();
        JsonNode pod = Reviews.pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: slow}
                spec:
                  containers: [{name: app, image: slow.example/app:1, resources: {limits: {memory: 1Gi}}}]
                """);
        CompletableFuture<HttpResponse<byte[]>> inFlight = client.sendAsync(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.port() + "/mutate"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(
                                Json.MAPPER.writeValueAsBytes(Reviews.podCreate("in-flight", "shop", pod))))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(lookupStarted.await(10, TimeUnit.SECONDS)).isTrue();

        long stopStart = System.nanoTime();
        server.close();
        Duration stopTook = Duration.ofNanos(System.nanoTime() - stopStart);

        HttpResponse<byte[]> response = inFlight.get(10, TimeUnit.SECONDS);
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode review = Json.MAPPER.readTree(response.body());
        assertThat(review.get("response").get("uid").asString()).isEqualTo("in-flight");
        assertThat(review.get("response").get("warnings").get(0).asString()).contains("not found");
        // close() returned only after the slow request was answered.
        assertThat(stopTook).isGreaterThan(Duration.ofMillis(500));
    }

    @Test
    void drainingKeepsAnsweringButNotReadyAndClosesEachConnection() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("test-ca", Duration.ofHours(1));
        TestTls tls = new TestTls(certificates);
        tls.publish(TestTls.localPair(ca));
        AdmissionServer server = AdmissionServer.start(
                new ServerSettings("127.0.0.1", 0, 0, tls.certificateFile(), tls.keyFile(), Duration.ofSeconds(1)),
                new AdmissionReviewHandler(new PodInjector(new PodMutator(InjectionSettings.defaults()))),
                EntrypointResolver.NONE, ReloadingTlsContext.watch(tls.certificateFile(), tls.keyFile(), Duration.ofSeconds(1)));
        HttpClient client = HttpClient.newBuilder().sslContext(TestTls.trusting(ca.certificate()))
                .version(HttpClient.Version.HTTP_1_1).build();
        URI base = URI.create("https://127.0.0.1:" + server.port());
        try {
            HttpResponse<byte[]> before = post(client, base);
            assertThat(before.headers().firstValue("connection")).isEmpty();

            Thread drain = new Thread(() -> server.drain(Duration.ofSeconds(3)));
            drain.start();
            Thread.sleep(300);
            HttpResponse<byte[]> during = post(client, base);
            assertThat(during.statusCode()).isEqualTo(200);
            assertThat(during.headers().firstValue("connection")).hasValue("close");
            assertThat(client.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.metricsPort() + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(503);
            drain.join();
        } finally {
            server.close();
        }
    }

    private static HttpResponse<byte[]> post(HttpClient client, URI base) throws Exception {
        return client.send(HttpRequest.newBuilder(base.resolve("/mutate"))
                        .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(
                                Reviews.podCreate("drain", "shop", Reviews.pod(Reviews.PYTHON_POD)))))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
