package io.rlimitinjector.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.rlimitinjector.inject.PodInjector;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.Mode;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.testing.Eventually;
import io.rlimitinjector.testing.ProcessStats;
import io.rlimitinjector.testing.TestWebhook;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WarmUpTest {
    /** The warm-up pod asks for its mode itself, so a cluster-wide default (even off) cannot stop the server. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void goesThroughWhateverTheDefaultMode(Mode defaultMode) {
        InjectionSettings defaults = InjectionSettings.defaults();
        InjectionSettings settings = new InjectionSettings(defaults.launcherImage(), defaults.launcherPullPolicy(),
                defaults.delivery(), defaultMode, 1.0, List.of());
        WarmUp warmUp = WarmUp.start(new AdmissionReviewHandler(new PodInjector(new PodMutator(settings))));
        assertThatCode(warmUp::await).doesNotThrowAnyException();
    }

    /** Its requests through HTTPS are neither counted nor left holding a connection once the server is ready. */
    @Test
    void theWarmUpThroughHttpsLeavesNoTrace(@TempDir Path certificates) throws Exception {
        try (TestWebhook webhook = TestWebhook.start(certificates,
                new PodMutator(InjectionSettings.defaults()), EntrypointResolver.NONE)) {
            assertThat(webhook.server().isReady()).isTrue();
            assertThat(webhook.admissions()).isZero();
            Eventually.until("the warm-up's connection closed", Duration.ofSeconds(10),
                    () -> ProcessStats.establishedConnections(webhook.server().port()) == 0);
        }
    }
}
