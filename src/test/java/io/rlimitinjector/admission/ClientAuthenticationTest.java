package io.rlimitinjector.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlimitinjector.certs.CertificateAuthority;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.testing.Eventually;
import io.rlimitinjector.testing.Reviews;
import io.rlimitinjector.testing.TestTls;
import io.rlimitinjector.testing.TestWebhook;
import io.rlimitinjector.tls.ClientAuthentication;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --client-ca} and {@code --client-names} on the webhook itself: who gets past the TLS handshake, and that a
 * caller who does not never reaches the handler. ApiServerClientAuthTest does the same with a real API server.
 */
class ClientAuthenticationTest {
    static final String API_SERVER = "kube-apiserver-admission";

    @TempDir
    Path directory;
    CertificateAuthority clientCa;
    Path caFile;
    TestWebhook webhook;

    @BeforeEach
    void start() throws Exception {
        clientCa = CertificateAuthority.create("api-server-client-ca", Duration.ofHours(1));
        caFile = directory.resolve("client-ca.crt");
        Files.writeString(caFile, clientCa.certificatePem());
        Files.createDirectories(directory.resolve("tls"));
        webhook = TestWebhook.start(directory.resolve("tls"),
                new PodMutator(InjectionSettings.defaults()), EntrypointResolver.NONE, admission -> { },
                Optional.of(new ClientAuthentication(caFile, Set.of(API_SERVER))));
    }

    @AfterEach
    void stop() {
        webhook.close();
    }

    @Test
    void theApiServersCertificateIsServed() throws Exception {
        long before = webhook.admissions();
        assertThat(post(client(clientCa.issueClient(API_SERVER, Duration.ofHours(1)))).statusCode()).isEqualTo(200);
        assertThat(webhook.admissions()).isEqualTo(before + 1);
    }

    @Test
    void callersWithoutItAreRefusedAtTheHandshakeAndNeverReachTheHandler() throws Exception {
        CertificateAuthority other = CertificateAuthority.create("other-ca", Duration.ofHours(1));
        long before = webhook.admissions();
        for (SSLContext caller : new SSLContext[] {
                client(null),
                client(other.issueClient(API_SERVER, Duration.ofHours(1))),
                client(clientCa.issueClient("some-pod", Duration.ofHours(1)))}) {
            assertThatThrownBy(() -> post(caller)).isInstanceOf(IOException.class);
        }
        assertThat(webhook.admissions()).isEqualTo(before);
    }

    /** Probes and scrapes need no certificate: they have a port of their own. */
    @Test
    void metricsAndProbesNeedNoClientCertificate() throws Exception {
        HttpClient plain = HttpClient.newHttpClient();
        for (String path : new String[] {"/healthz", "/readyz", "/metrics"}) {
            assertThat(plain.send(HttpRequest.newBuilder(webhook.metricsBase().resolve(path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode()).as(path).isEqualTo(200);
        }
    }

    /** The CA file is reloaded like the serving certificate, so the API server's CA can be rotated. */
    @Test
    void aNewClientCaInTheFileReplacesTheOld() throws Exception {
        CertificateAuthority next = CertificateAuthority.create("next-client-ca", Duration.ofHours(1));
        SSLContext old = client(clientCa.issueClient(API_SERVER, Duration.ofHours(1)));
        SSLContext rotated = client(next.issueClient(API_SERVER, Duration.ofHours(1)));
        Path staged = directory.resolve("client-ca.new");
        Files.writeString(staged, next.certificatePem());
        Files.move(staged, caFile, StandardCopyOption.ATOMIC_MOVE);
        Eventually.until("the new client CA in service", Duration.ofSeconds(20), () -> accepted(rotated));
        assertThat(accepted(old)).isFalse();
    }

    private SSLContext client(CertificateAuthority.IssuedCertificate certificate) throws Exception {
        return TestTls.presenting(certificate, webhook.ca().certificate());
    }

    /**
     * A new connection each time, so each call is a handshake of its own. Bounded: under TLS 1.3 the server refuses
     * a certificate after the client's side of the handshake is done, and the JDK client was once seen waiting for
     * good; a refusal may then end as a timeout, and the handler's count is what proves nothing got through.
     */
    private HttpResponse<String> post(SSLContext context) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
        return client.send(HttpRequest.newBuilder(webhook.mutateUrl()).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Reviews.oneContainerReview("auth", null))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private boolean accepted(SSLContext context) {
        try {
            return post(context).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
