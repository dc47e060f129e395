package io.rlimitinjector.mutation;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Cluster-wide settings of the mutation, fixed at start-up; pods refine mode and ratio with annotations.
 *
 * @param launcherImage image holding {@code /launch}, preferably by digest
 * @param launcherPullPolicy the pull policy of the launcher image, as an init container or as a volume
 * @param delivery how the launcher gets into a pod
 * @param defaultMode mode for pods that do not choose one
 * @param defaultRatio limit multiplier for pods that do not choose one, {@code 0 < r <= 1}
 * @param launcherPullSecrets Secrets the mutated pods pull the launcher image with; each must exist in the pod's
 *     namespace
 */
public record InjectionSettings(String launcherImage, String launcherPullPolicy, Delivery delivery, Mode defaultMode,
        double defaultRatio, List<String> launcherPullSecrets) {

    public static final String DEFAULT_LAUNCHER_IMAGE = "ghcr.io/rlimit-injector/launcher:0.1.0";
    public static final Set<String> PULL_POLICIES = Set.of("Always", "IfNotPresent", "Never");
    /** A Secret's name, a DNS subdomain: a pod naming anything else is rejected by the API server. */
    private static final Pattern SECRET_NAME =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    public InjectionSettings {
        Objects.requireNonNull(launcherImage, "launcherImage");
        Objects.requireNonNull(delivery, "delivery");
        Objects.requireNonNull(defaultMode, "defaultMode");
        if (launcherImage.isBlank()) {
            throw new IllegalArgumentException("launcher image must not be empty");
        }
        if (!PULL_POLICIES.contains(launcherPullPolicy)) {
            throw new IllegalArgumentException("launcher pull policy must be Always, IfNotPresent or Never, got "
                    + launcherPullPolicy);
        }
        if (!Ratio.isValid(defaultRatio)) {
            throw new IllegalArgumentException("default ratio must be > 0 and <= 1, got " + defaultRatio);
        }
        launcherPullSecrets = List.copyOf(launcherPullSecrets);
        for (String name : launcherPullSecrets) {
            if (name.length() > 253 || !SECRET_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("launcher pull secret \"" + name + "\" is not a valid Secret name");
            }
        }
    }

    public static InjectionSettings defaults() {
        return new InjectionSettings(DEFAULT_LAUNCHER_IMAGE, "IfNotPresent", Delivery.INIT_CONTAINER, Mode.AUTO, 1.0,
                List.of());
    }

    public InjectionSettings withLauncherImage(String image) {
        return new InjectionSettings(image, launcherPullPolicy, delivery, defaultMode, defaultRatio,
                launcherPullSecrets);
    }

    public InjectionSettings withDelivery(Delivery chosen) {
        return new InjectionSettings(launcherImage, launcherPullPolicy, chosen, defaultMode, defaultRatio,
                launcherPullSecrets);
    }

    public InjectionSettings withLauncherPullSecrets(List<String> names) {
        return new InjectionSettings(launcherImage, launcherPullPolicy, delivery, defaultMode, defaultRatio, names);
    }
}
