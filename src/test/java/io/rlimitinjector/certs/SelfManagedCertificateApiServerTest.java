package io.rlimitinjector.certs;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.rlimitinjector.testing.KubeApiServer;
import io.rlimitinjector.testing.WebhookRegistration;
import io.rlimitinjector.tls.PemIdentity;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The self certificate mode against a real API server: Secret, caBundle, racing replicas, rotation. */
class SelfManagedCertificateApiServerTest {
    private static final Duration VALIDITY = Duration.ofDays(365);

    private KubernetesClient client;
    private String namespace;
    private WebhookRegistration configuration;
    private final String secretName = "webhook-tls";
    private final Instant start = Instant.now();

    @BeforeEach
    void setUp() throws Exception {
        KubeApiServer server = KubeApiServer.shared();
        client = server.client();
        namespace = server.namespace("certs", Map.of());
        // Registered for a group no namespace is in: the test needs the object, not calls to it.
        configuration = WebhookRegistration.register(client, "certs-" + namespace, namespace,
                URI.create("https://webhook.invalid/mutate"), null, "Ignore");
    }

    @AfterEach
    void tearDown() {
        configuration.close();
        client.namespaces().withName(namespace).delete();
    }

    @Test
    void firstSyncCreatesTheSecretPatchesTheBundleAndWritesTheFiles(@TempDir Path directory) throws Exception {
        CertificateState state = replica(directory, start).sync();

        Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
        assertThat(secret.getType()).isEqualTo("kubernetes.io/tls");
        assertThat(secret.getData()).containsOnlyKeys("ca.crt", "ca.key", "tls.crt", "tls.key");
        assertThat(configuration.caBundle()).containsExactly(state.ca().certificate());
        PemIdentity served = PemIdentity.read(directory.resolve("tls.crt"), directory.resolve("tls.key"));
        served.chain().get(0).verify(state.ca().certificate().getPublicKey());
        assertThat(served.chain().get(0).getSubjectAlternativeNames()).extracting(san -> (Object) san.get(1))
                .containsExactly("webhook." + namespace + ".svc", "webhook." + namespace + ".svc.cluster.local");

        assertThat(replica(directory, start).sync().serving().chain()).as("a second sync changes nothing")
                .isEqualTo(state.serving().chain());
        assertThat(client.secrets().inNamespace(namespace).withName(secretName).get().getMetadata()
                .getResourceVersion()).isEqualTo(secret.getMetadata().getResourceVersion());
    }

    @Test
    void replicasRacingOnAnEmptyClusterConvergeOnOneCa(@TempDir Path directory) throws Exception {
        int replicas = 4;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(replicas);
        try {
            List<Future<CertificateState>> results = new ArrayList<>();
            for (int i = 0; i < replicas; i++) {
                SelfManagedCertificate replica = replica(directory.resolve("r" + i), start);
                Files.createDirectories(directory.resolve("r" + i));
                Callable<CertificateState> sync = () -> {
                    go.await();
                    return replica.sync();
                };
                results.add(pool.submit(sync));
            }
            go.countDown();
            List<CertificateState> states = new ArrayList<>();
            for (Future<CertificateState> result : results) {
                states.add(result.get());
            }
            X509Certificate ca = states.get(0).ca().certificate();
            assertThat(states).allSatisfy(state -> {
                assertThat(state.ca().certificate()).isEqualTo(ca);
                assertThat(state.serving().chain()).isEqualTo(states.get(0).serving().chain());
            });
            assertThat(configuration.caBundle()).containsExactly(ca);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void rotationAddsTheNewCaBeforeServingItsCertificateAndDropsTheOldOneWhenExpired(@TempDir Path directory)
            throws Exception {
        CertificateState first = replica(directory, start).sync();
        Instant due = start.plus(Duration.ofDays(250));

        CertificateState rotated = replica(directory, due).sync();
        assertThat(rotated.ca().certificate()).isNotEqualTo(first.ca().certificate());
        assertThat(rotated.bundle()).containsExactly(rotated.ca().certificate(), first.ca().certificate());
        rotated.serving().chain().get(0).verify(rotated.ca().certificate().getPublicKey());
        assertThat(configuration.caBundle())
                .containsExactlyInAnyOrder(first.ca().certificate(), rotated.ca().certificate());
        assertThat(PemIdentity.read(directory.resolve("tls.crt"), directory.resolve("tls.key")).chain())
                .isEqualTo(rotated.serving().chain());

        CertificateState other = replica(directory, due.plus(Duration.ofMinutes(1))).sync();
        assertThat(other.bundle()).as("another replica adopts the rotation").isEqualTo(rotated.bundle());
        assertThat(other.serving().chain()).isEqualTo(rotated.serving().chain());

        Instant oldCaExpired = start.plus(VALIDITY).plus(Duration.ofDays(1));
        CertificateState cleaned = replica(directory, oldCaExpired).sync();
        assertThat(cleaned.bundle()).containsExactly(rotated.ca().certificate());
        assertThat(configuration.caBundle()).containsExactly(rotated.ca().certificate());
    }

    private SelfManagedCertificate replica(Path directory, Instant now) {
        return new SelfManagedCertificate(
                new CertificateSecret(client, namespace, secretName),
                new WebhookCaBundle(client, configuration.name()),
                new RotationPlan(List.of("webhook." + namespace + ".svc", "webhook." + namespace + ".svc.cluster.local"),
                        VALIDITY),
                new ServingFiles(directory.resolve("tls.crt"), directory.resolve("tls.key")),
                Clock.fixed(now, ZoneOffset.UTC));
    }
}
