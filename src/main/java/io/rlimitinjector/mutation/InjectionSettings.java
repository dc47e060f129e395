package io.rlimitinjector.mutation;

import java.util.Objects;

/**
 * Cluster-wide settings of the mutation, fixed at start-up; pods refine mode and ratio with annotations.
 *
 * @param launcherImage image holding {@code /launch}, preferably by digest
 * @param defaultMode mode for pods that do not choose one
 * @param defaultRatio limit multiplier for pods that do not choose one, {@code 0 < r <= 1}
 */
public record InjectionSettings(
        String launcherImage, Mode defaultMode, double defaultRatio) {

    public static final String DEFAULT_LAUNCHER_IMAGE = "ghcr.io/rlimit-injector/launcher:0.1.0";

    public InjectionSettings {
        Objects.requireNonNull(launcherImage, "launcherImage");
        Objects.requireNonNull(defaultMode, "defaultMode");
        if (launcherImage.isBlank()) {
            throw new IllegalArgumentException("launcher image must not be empty");
        }
        if (!Ratio.isValid(defaultRatio)) {
            throw new IllegalArgumentException("default ratio must be > 0 and <= 1, got " + defaultRatio);
        }
    }

    public static InjectionSettings defaults() {
        return new InjectionSettings(DEFAULT_LAUNCHER_IMAGE, Mode.AUTO, 1.0);
    }

    public InjectionSettings withLauncherImage(String image) {
        return new InjectionSettings(image, defaultMode, defaultRatio);
    }
}
