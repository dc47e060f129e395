package io.rlimitinjector.cli;

import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.Mode;
import io.rlimitinjector.mutation.Ratio;
import java.util.Set;

/** The mutation settings both {@code serve} and {@code inject} take, so the two commands mutate alike. */
final class SettingsFlags {
    static final Set<String> NAMES = Set.of("launcher-image", "default-mode", "default-ratio");
    static final String USAGE = """
              --launcher-image IMAGE        launcher image for the install init container (default %s)
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
        return new InjectionSettings(
                options.get("launcher-image", defaults.launcherImage()),
                mode,
                ratio);
    }
}
