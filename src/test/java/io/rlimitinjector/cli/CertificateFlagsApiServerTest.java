package io.rlimitinjector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.rlimitinjector.admission.ServerSettings;
import io.rlimitinjector.certs.CertificateAuthority;
import io.rlimitinjector.testing.KubeApiServer;
import io.rlimitinjector.testing.WebhookRegistration;
import io.rlimitinjector.tls.ReloadingTlsContext;
import java.net.URI;
import java.nio.file.Files;
import java.time.Instant;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve}'s certificate flags as the chart passes them, with the client configured from a kubeconfig. */
class CertificateFlagsApiServerTest {
    private KubernetesClient admin;
    private String namespace;
    private WebhookRegistration configuration;
    private ServerSettings settings;

    @BeforeEach
    void setUp(@TempDir Path directory) throws Exception {
        KubeApiServer server = KubeApiServer.shared();
        admin = server.client();
        namespace = server.namespace("serve", Map.of());
        configuration = WebhookRegistration.register(admin, "serve-" + namespace, namespace,
                URI.create("https://webhook.invalid/mutate"), null, "Ignore");
        settings = new ServerSettings("127.0.0.1", 0, 0, directory.resolve("tls.crt"), directory.resolve("tls.key"),
                Duration.ofSeconds(1));
        // What the in-cluster configuration is to the pod, the kubeconfig is to fabric8's auto-configuration.
        System.setProperty("kubeconfig", server.kubeconfig().toString());
    }

    @AfterEach
    void tearDown() {
        System.clearProperty("kubeconfig");
        configuration.close();
        admin.namespaces().withName(namespace).delete();
    }

    @Test
    void selfModeWritesACertificateTheServerLoadsBeforeItStarts() throws Exception {
        Options options = options("--self-signed-secret", "webhook-tls", "--service", "webhook",
                "--namespace", namespace, "--webhook-configuration", configuration.name());
        try (KubernetesConnection kubernetes = new KubernetesConnection();
                AutoCloseable certificates = CertificateFlags.start(options, settings, kubernetes);
                ReloadingTlsContext tls = ReloadingTlsContext.watch(settings.certificateFile(), settings.keyFile(),
                        settings.certificatePollInterval())) {
            assertThat(tls.notAfter()).isAfter(Instant.now().plus(Duration.ofDays(300)));
            assertThat(admin.secrets().inNamespace(namespace).withName("webhook-tls").get()).isNotNull();
            assertThat(configuration.caBundle()).hasSize(1);
        }
    }

    @Test
    void mountedSecretModeTrustsItsCaFile(@TempDir Path directory) throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("user-ca", Duration.ofDays(10));
        Path caFile = directory.resolve("ca.crt");
        Files.writeString(caFile, ca.certificatePem());
        Options options = options("--ca-bundle-file", caFile.toString(), "--webhook-configuration", configuration.name());
        try (KubernetesConnection kubernetes = new KubernetesConnection();
                AutoCloseable certificates = CertificateFlags.start(options, settings, kubernetes)) {
            assertThat(configuration.caBundle()).containsExactly(ca.certificate());
        }
    }

    private static Options options(String... args) {
        return Options.parse(List.of(args), ServeCommand.FLAGS, RegistryFlags.SWITCHES, Map.of());
    }
}
