package io.rlimitinjector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlimitinjector.mutation.Delivery;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.testing.KubeApiServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ImageVolumeSupportTest {
    private static final InjectionSettings IMAGE_VOLUME = InjectionSettings.defaults().withDelivery(Delivery.IMAGE_VOLUME);

    @ParameterizedTest(name = "{0}.{1}")
    @CsvSource({"1, 35", "1, 35+", "1, 36", "2, 0"})
    void takesImageVolumesFromKubernetes135(String major, String minor) {
        assertThat(ImageVolumeSupport.problem(major, minor)).isEmpty();
    }

    @ParameterizedTest(name = "{0}.{1}")
    @CsvSource({"1, 34, Kubernetes 1.34", "1, 33+, Kubernetes 1.33", "1, '', not a number", "'', 35, not a number"})
    void refusesThemBefore(String major, String minor, String why) {
        assertThat(ImageVolumeSupport.problem(major, minor)).hasValueSatisfying(problem -> assertThat(problem)
                .contains(why));
    }

    /** The API server the tests run is 1.35 or later: the setting stands, and nothing is logged. */
    @Test
    void theRealApiServerKeepsTheImageVolume() throws Exception {
        KubeApiServer api = KubeApiServer.shared();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        InjectionSettings checked = ImageVolumeSupport.checked(IMAGE_VOLUME, api::client,
                new PrintStream(log, true, StandardCharsets.UTF_8));
        assertThat(checked).isEqualTo(IMAGE_VOLUME);
        assertThat(log.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void theInitContainerDeliveryAsksTheApiServerNothing() {
        InjectionSettings defaults = InjectionSettings.defaults();
        assertThat(ImageVolumeSupport.checked(defaults, () -> {
            throw new AssertionError("no API server call expected");
        }, System.err)).isSameAs(defaults);
    }
}
