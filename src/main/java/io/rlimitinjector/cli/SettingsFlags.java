package io.rlimitinjector.cli;

import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.Mode;
import io.rlimitinjector.mutation.MemoryQuantity;
import io.rlimitinjector.mutation.Ratio;
import java.util.Set;

/** The mutation settings both {@code serve} and {@code inject} take, so the two commands mutate alike. */
final class SettingsFlags {
    static final Set<String> NAMES = Set.of("launcher-image", "default-mode", "default-ratio",
            "install-cpu-request", "install-memory-request", "install-cpu-limit", "install-memory-limit");
    static final String USAGE = """
              --launcher-image IMAGE        launcher image for the install init container (default %s)
              --default-mode MODE           auto, as, data or off, for pods that set none (default auto)
              --default-ratio R             limit multiplier, 0 < R <= 1 (default 1)
              --install-cpu-request Q       install container resources (defaults 10m, 16Mi, 100m, 32Mi)
              --install-memory-request Q
              --install-cpu-limit Q
              --install-memory-limit Q
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
        return new InjectionSettings(
                options.get("launcher-image", defaults.launcherImage()),
                mode,
                ratio,
                InjectionSettings.installResources(
                        quantity(options, "install-cpu-request", "10m"),
                        quantity(options, "install-memory-request", "16Mi"),
                        quantity(options, "install-cpu-limit", "100m"),
                        quantity(options, "install-memory-limit", "32Mi")));
    }

    private static String quantity(Options options, String name, String fallback) {
        String value = options.get(name, fallback);
        if (MemoryQuantity.toBytes(value).isEmpty()) {
            throw new Options.UsageException("--" + name + " must be a resource quantity, got \"" + value + "\"");
        }
        return value;
    }
}
