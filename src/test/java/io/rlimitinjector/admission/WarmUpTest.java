package io.rlimitinjector.admission;

import static org.assertj.core.api.Assertions.assertThatCode;

import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.Mode;
import io.rlimitinjector.mutation.PodMutator;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WarmUpTest {
    /** The warm-up pod asks for its mode itself, so a cluster-wide default (even off) cannot stop the server. */
    @ParameterizedTest
    @EnumSource(Mode.class)
    void goesThroughWhateverTheDefaultMode(Mode defaultMode) {
        InjectionSettings defaults = InjectionSettings.defaults();
        InjectionSettings settings = new InjectionSettings(defaults.launcherImage(), defaultMode, 1.0);
        WarmUp warmUp = WarmUp.start(new AdmissionReviewHandler(new PodMutator(settings, EntrypointResolver.NONE)));
        assertThatCode(warmUp::await).doesNotThrowAnyException();
    }
}
