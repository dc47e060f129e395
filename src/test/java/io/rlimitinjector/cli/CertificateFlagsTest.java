package io.rlimitinjector.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.rlimitinjector.admission.ServerSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Certificate flags that cannot work are usage errors at start, before any call to the API server. */
class CertificateFlagsTest {
    private static final ServerSettings SETTINGS = new ServerSettings("127.0.0.1", 0, 0, Path.of("tls.crt"),
            Path.of("tls.key"), Duration.ofSeconds(1));
    private static final Supplier<KubernetesClient> NO_CLIENT = () -> {
        throw new AssertionError("no API server client should be needed");
    };

    @Test
    void withoutCertificateFlagsNothingStarts() throws Exception {
        CertificateFlags.start(options(List.of(), Map.of()), SETTINGS, NO_CLIENT).close();
    }

    @Test
    void selfModeNeedsTheWebhookConfigurationAndTheService() {
        assertThatThrownBy(() -> CertificateFlags.start(options(List.of("--self-signed-secret", "tls"), Map.of()),
                SETTINGS, NO_CLIENT)).isInstanceOf(Options.UsageException.class).hasMessageContaining("--webhook-configuration");
        assertThatThrownBy(() -> CertificateFlags.start(options(List.of("--self-signed-secret", "tls"),
                Map.of("RLIMIT_INJECTOR_WEBHOOK_CONFIGURATION", "hook")), SETTINGS, NO_CLIENT))
                .isInstanceOf(Options.UsageException.class).hasMessageContaining("--service");
    }

    @Test
    void theTwoModesExcludeEachOther() {
        assertThatThrownBy(() -> CertificateFlags.start(options(
                List.of("--self-signed-secret", "tls", "--ca-bundle-file", "ca.crt"), Map.of()), SETTINGS, NO_CLIENT))
                .isInstanceOf(Options.UsageException.class).hasMessageContaining("exclude each other");
    }

    @Test
    void serveKnowsTheFlagsAndListsThem() {
        assertThat(ServeCommand.FLAGS).containsAll(CertificateFlags.NAMES);
        assertThat(ServeCommand.USAGE).contains("--self-signed-secret", "--ca-bundle-file", "--webhook-configuration");
    }

    private static Options options(List<String> args, Map<String, String> env) {
        return Options.parse(args, ServeCommand.FLAGS, RegistryFlags.SWITCHES, env);
    }
}
