package io.rlimitinjector.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlimitinjector.certs.CertificateAuthority;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.testing.Reviews;
import io.rlimitinjector.testing.TestTls;
import io.rlimitinjector.testing.TestWebhook;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The webhook over real HTTPS with a test CA, as the API server calls it. */
class AdmissionServerTest {
    @TempDir
    static Path certificates;
    static TestWebhook webhook;
    static AdmissionServer server;
    static HttpClient client;
    static URI base;
    static URI metricsBase;

    @BeforeAll
    static void start() throws Exception {
        webhook = TestWebhook.start(certificates, new PodMutator(InjectionSettings.defaults()), EntrypointResolver.NONE);
        server = webhook.server();
        client = HttpClient.newBuilder().sslContext(TestTls.trusting(webhook.ca().certificate()))
                .connectTimeout(Duration.ofSeconds(5)).build();
        base = webhook.base();
        metricsBase = webhook.metricsBase();
    }

    @AfterAll
    static void stop() {
        webhook.close();
    }

    @Test
    void mutatesOverHttpsAndASecondPassChangesNothing() throws Exception {
        JsonNode pod = Reviews.pod(Reviews.PYTHON_POD);
        long mutatedBefore = server.metrics().admissions("mutated");
        JsonNode first = post(Reviews.podCreate("uid-a", "shop", pod));
        assertThat(first.get("response").get("uid").asString()).isEqualTo("uid-a");
        JsonNode stored = Reviews.patched(pod, first);
        assertThat(stored.at("/spec/containers/0/command").toString())
                .isEqualTo("[\"/rlimit-injector/launch\",\"--\",\"python\",\"app.py\"]");
        assertThat(stored.at("/spec/initContainers/0/name").asString()).isEqualTo("rlimit-injector-install");
        assertThat(stored.at("/spec/volumes/0/emptyDir/sizeLimit").asString()).isEqualTo("8Mi");

        JsonNode second = post(Reviews.podCreate("uid-b", "shop", stored));
        assertThat(second.get("response").has("patch")).isFalse();
        assertThat(second.get("response").get("allowed").asBoolean()).isTrue();
        assertThat(server.metrics().admissions("mutated")).isEqualTo(mutatedBefore + 1);
    }

    @Test
    void answersAreNotCompressedEvenWhenGzipIsAccepted() throws Exception {
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(base.resolve("/mutate"))
                .header("Content-Type", "application/json").header("Accept-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(
                        Reviews.podCreate("uid-z", "shop", Reviews.pod(Reviews.PYTHON_POD))))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.headers().firstValue("Content-Encoding")).isEmpty();
        assertThat(response.body().length).isGreaterThan(1500);
        assertThat(Json.MAPPER.readTree(response.body()).at("/response/patch").isMissingNode()).isFalse();
    }

    @Test
    void metricsCountOutcomesModesAndSkipReasons() throws Exception {
        long before = server.metrics().admissionCount();
        post(Reviews.podCreate("uid-m", "shop", Reviews.pod(Reviews.PYTHON_POD)));
        client.send(HttpRequest.newBuilder(base.resolve("/mutate")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(server.metrics().admissionCount()).isEqualTo(before + 2);
        HttpResponse<String> metrics = get("/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body())
                .contains("rlimit_injector_admissions_total{outcome=\"mutated\"}")
                .contains("rlimit_injector_admissions_total{outcome=\"bad-request\"}")
                .contains("rlimit_injector_containers_wrapped_total{mode=\"as\"}")
                .contains("rlimit_injector_containers_skipped_total{reason=\"no-memory-limit\"}")
                .contains("rlimit_injector_admission_duration_seconds_bucket")
                .contains("rlimit_injector_certificate_expiry_timestamp_seconds")
                .contains("rlimit_injector_registry_cache_hits_total")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void healthAndReadiness() throws Exception {
        assertThat(server.isReady()).isTrue();
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void badBodiesGet400WithAMessageAndNoStackTrace() throws Exception {
        long badBefore = server.metrics().admissions("bad-request");
        for (String body : new String[] {"", "{not json", "{\"kind\":\"AdmissionReview\"}"}) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(base.resolve("/mutate"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).isNotBlank().doesNotContain("Exception").doesNotContain("\tat ");
        }
        assertThat(server.metrics().admissions("bad-request")).isEqualTo(badBefore + 3);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    @Test
    void oversizedBodiesGet413() throws Exception {
        byte[] huge = new byte[ServerSettings.MAX_BODY_BYTES + 1];
        java.util.Arrays.fill(huge, (byte) ' ');
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(base.resolve("/mutate"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(huge)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    /** Each port serves its own paths: an AdmissionReview never reaches the handler over plain HTTP. */
    @Test
    void mutateIsServedOnlyOverHttpsAndMetricsAndProbesOnlyOverPlainHttp() throws Exception {
        long before = server.metrics().admissionCount();
        HttpResponse<String> plainMutate = client.send(HttpRequest.newBuilder(metricsBase.resolve("/mutate"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(
                        Reviews.podCreate("plain", "shop", Reviews.pod(Reviews.PYTHON_POD))))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(plainMutate.statusCode()).isEqualTo(404);
        assertThat(server.metrics().admissionCount()).isEqualTo(before);
        for (String path : new String[] {"/metrics", "/healthz", "/readyz"}) {
            HttpResponse<String> overHttps = client.send(HttpRequest.newBuilder(base.resolve(path)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(overHttps.statusCode()).as(path).isEqualTo(404);
        }
    }

    @Test
    void plainHttpIsNotServed() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write("GET /mutate HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] answer = in.readNBytes(12);
            assertThat(new String(answer, StandardCharsets.US_ASCII)).doesNotStartWith("HTTP/1.1 405");
        }
    }

    @Test
    void oldTlsVersionsAreRefused() throws Exception {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, null, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.port())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.1"});
            assertThatThrownBy(socket::startHandshake).isInstanceOf(IOException.class);
        }
    }

    /** The server's order wins over the client's, which puts AES first. */
    @Test
    void chaChaIsPreferredAndOnlyForwardSecretAeadSuitesAreServed() throws Exception {
        SSLContext context = TestTls.trusting(webhook.ca().certificate());
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.port())) {
            socket.startHandshake();
            assertThat(socket.getSession().getCipherSuite()).isEqualTo("TLS_CHACHA20_POLY1305_SHA256");
        }
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.port())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.startHandshake();
            assertThat(socket.getSession().getCipherSuite()).isEqualTo("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
        }
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.port())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"});
            socket.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"});
            assertThatThrownBy(socket::startHandshake).isInstanceOf(IOException.class);
        }
    }

    @Test
    void untrustedClientsFailTheHandshake() throws Exception {
        CertificateAuthority other = CertificateAuthority.create("other-ca", Duration.ofHours(1));
        HttpClient stranger = HttpClient.newBuilder().sslContext(TestTls.trusting(other.certificate())).build();
        assertThatThrownBy(() -> stranger.send(HttpRequest.newBuilder(base.resolve("/mutate")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
    }

    private JsonNode post(JsonNode review) throws Exception {
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(base.resolve("/mutate"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(review))).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        return Json.MAPPER.readTree(response.body());
    }

    /** The metrics and probes, over plain HTTP. */
    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(metricsBase.resolve(path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
