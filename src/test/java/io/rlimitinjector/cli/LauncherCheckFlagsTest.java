package io.rlimitinjector.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.rlimitinjector.metrics.WebhookMetrics;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.testing.LocalRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** serve's launcher image check, from its flags: on by default, off when told or when nodes never pull it. */
class LauncherCheckFlagsTest {
    /** No pull secrets are named, so no test here may need an API server. */
    private static final Supplier<KubernetesClient> NO_API_SERVER = () -> {
        throw new AssertionError("no API server is needed without launcher pull secrets");
    };

    @Test
    void anImageThatCannotBePulledIsReportedAndCounted() throws Exception {
        String launcher = LocalRegistry.downHost() + "/launcher:1";
        WebhookMetrics metrics = new WebhookMetrics(Instant::now);

        BooleanSupplier pullable = start(metrics, launcher, "IfNotPresent", "--insecure-registries",
                launcher.substring(0, launcher.indexOf('/')));

        assertThat(pullable.getAsBoolean()).isFalse();
        assertThat(new String(metrics.scrape(), StandardCharsets.UTF_8))
                .contains("rlimit_injector_launcher_image_pullable 0");
    }

    @Test
    void notCheckedWhenTurnedOffOrNeverPulled() throws Exception {
        String launcher = LocalRegistry.downHost() + "/launcher:1";
        WebhookMetrics metrics = new WebhookMetrics(Instant::now);

        assertThat(start(metrics, launcher, "IfNotPresent", "--launcher-image-check=false").getAsBoolean()).isTrue();
        assertThat(start(metrics, launcher, "Never").getAsBoolean()).isTrue();
        assertThat(new String(metrics.scrape(), StandardCharsets.UTF_8))
                .doesNotContain("rlimit_injector_launcher_image_pullable");
    }

    @Test
    void badValuesAreUsageErrors() {
        WebhookMetrics metrics = new WebhookMetrics(Instant::now);
        assertThatThrownBy(() -> start(metrics, "launcher:1", "IfNotPresent", "--launcher-image-check=maybe"))
                .isInstanceOf(Options.UsageException.class);
        assertThatThrownBy(() -> start(metrics, "launcher:1", "IfNotPresent", "--launcher-image-check-seconds=0"))
                .isInstanceOf(Options.UsageException.class);
    }

    private static BooleanSupplier start(WebhookMetrics metrics, String launcher, String pullPolicy, String... args)
            throws Exception {
        Options options = Options.parse(List.of(args), ServeCommand.FLAGS, ServeCommand.SWITCHES, Map.of());
        InjectionSettings defaults = InjectionSettings.defaults();
        InjectionSettings injection = new InjectionSettings(launcher, pullPolicy, defaults.delivery(),
                defaults.defaultMode(), defaults.defaultRatio(), List.of());
        return LauncherCheckFlags.start(options, injection, metrics, NO_API_SERVER);
    }
}
