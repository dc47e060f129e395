package io.rlimitinjector.cli;

import io.rlimitinjector.mutation.Delivery;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.Mode;
import io.rlimitinjector.mutation.Ratio;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/** The mutation settings both {@code serve} and {@code inject} take, so the two commands mutate alike. */
final class SettingsFlags {
    static final Set<String> NAMES = Set.of("launcher-image", "launcher-pull-policy", "launcher-pull-secrets",
            "delivery", "default-mode", "default-ratio");
    static final String USAGE = """
              --launcher-image IMAGE        launcher image (default %s)
              --launcher-pull-policy P      Always, IfNotPresent or Never, for the launcher image (default IfNotPresent)
              --launcher-pull-secrets LIST  Secrets to pull the launcher image with, as name,name: added to the
                                            imagePullSecrets of every mutated pod, so each must exist in the pod's
                                            namespace
              --delivery D                  initContainer (default): an init container copies the launcher into the
                                            pod; imageVolume: the launcher image is mounted as a volume, which needs
                                            Kubernetes 1.35+ and containerd 2.1+ (or CRI-O 1.31+) on every node
              --default-mode MODE           auto, as, data or off, for pods that set none (default auto)
              --default-ratio R             limit multiplier, 0 < R <= 1 (default 1)
            Each flag can also be set as an environment variable: --default-mode is RLIMIT_INJECTOR_DEFAULT_MODE.
            """.formatted(InjectionSettings.DEFAULT_LAUNCHER_IMAGE);

    private SettingsFlags() {
    }

    static InjectionSettings read(Options options) {
        InjectionSettings defaults = InjectionSettings.defaults();
        String modeText = options.get("default-mode", Mode.AUTO.value());
        Mode mode = Mode.parse(modeText)
                .orElseThrow(() -> new Options.UsageException("--default-mode must be auto, as, data or off, got \""
                        + modeText + "\""));
        String ratioText = options.get("default-ratio", "1");
        double ratio = Ratio.parse(ratioText)
                .orElseThrow(() -> new Options.UsageException("--default-ratio must be > 0 and <= 1, got \""
                        + ratioText + "\""));
        String deliveryText = options.get("delivery", defaults.delivery().value());
        Delivery delivery = Delivery.parse(deliveryText)
                .orElseThrow(() -> new Options.UsageException("--delivery must be initContainer or imageVolume, got \""
                        + deliveryText + "\""));
        String pullPolicy = options.get("launcher-pull-policy", defaults.launcherPullPolicy());
        if (!InjectionSettings.PULL_POLICIES.contains(pullPolicy)) {
            throw new Options.UsageException("--launcher-pull-policy must be Always, IfNotPresent or Never, got \""
                    + pullPolicy + "\"");
        }
        List<String> pullSecrets = Arrays.stream(options.get("launcher-pull-secrets", "").split(","))
                .map(String::trim).filter(name -> !name.isEmpty()).distinct().toList();
        try {
            return new InjectionSettings(options.get("launcher-image", defaults.launcherImage()), pullPolicy, delivery,
                    mode, ratio, pullSecrets);
        } catch (IllegalArgumentException e) {
            throw new Options.UsageException(e.getMessage());
        }
    }
}
