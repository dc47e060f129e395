package io.rlimitinjector.mutation;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The pod's own choices, read from its annotations on top of the webhook's defaults; bad values are reported. */
record PodSettings(Map<String, String> annotations, Mode mode, String modeSource, double ratio, Set<String> excluded,
        boolean goSoftLimit, List<String> warnings) {

    static PodSettings read(Map<String, String> annotations, InjectionSettings defaults) {
        List<String> warnings = new ArrayList<>();
        String inject = annotations.get(Contract.INJECT);
        // Opt-outs never get here; anything else that is not a yes was most likely meant as a no.
        if (inject != null && !Contract.OPT_IN.contains(inject.trim().toLowerCase(Locale.ROOT))) {
            warnings.add("annotation " + Contract.INJECT + "=\"" + inject + "\" is neither an opt-out (false, disabled) "
                    + "nor true or enabled; the pod is injected");
        }
        Mode mode = defaults.defaultMode();
        String modeSource = "webhook default";
        String modeText = annotations.get(Contract.MODE);
        if (modeText != null) {
            Optional<Mode> parsed = Mode.parse(modeText);
            if (parsed.isPresent()) {
                mode = parsed.get();
                modeSource = "annotation " + Contract.MODE;
            } else {
                warnings.add(invalid(Contract.MODE, modeText, "auto, as, data or off", mode.value()));
            }
        }
        double ratio = defaults.defaultRatio();
        String ratioText = annotations.get(Contract.RATIO);
        if (ratioText != null) {
            Optional<Double> parsed = Ratio.parse(ratioText);
            if (parsed.isPresent()) {
                ratio = parsed.get();
            } else {
                warnings.add(invalid(Contract.RATIO, ratioText, "a number > 0 and <= 1", Ratio.format(ratio)));
            }
        }
        Set<String> excluded = Arrays.stream(annotations.getOrDefault(Contract.EXCLUDE_CONTAINERS, "").split(","))
                .map(String::trim)
                .filter(name -> !name.isEmpty())
                .collect(Collectors.toUnmodifiableSet());
        boolean goSoftLimit = true;
        String goSoftText = annotations.get(Contract.GO_SOFT_LIMIT);
        if (goSoftText != null) {
            if ("off".equalsIgnoreCase(goSoftText.trim())) {
                goSoftLimit = false;
            } else if (!"on".equalsIgnoreCase(goSoftText.trim())) {
                warnings.add(invalid(Contract.GO_SOFT_LIMIT, goSoftText, "on or off", "on"));
            }
        }
        return new PodSettings(annotations, mode, modeSource, ratio, excluded, goSoftLimit, List.copyOf(warnings));
    }

    /** The container's mode: its own annotation, else the pod's, else the default. */
    ModeSetting modeOf(String container, List<String> warnings) {
        String key = Contract.modeFor(container);
        String text = annotations.get(key);
        if (text != null) {
            Optional<Mode> parsed = Mode.parse(text);
            if (parsed.isPresent()) {
                return new ModeSetting(parsed.get(), "annotation " + key);
            }
            warnings.add(invalid(key, text, "auto, as, data or off", mode.value()));
        }
        return new ModeSetting(mode, modeSource);
    }

    static String invalid(String key, String value, String expected, String used) {
        return "annotation " + key + "=\"" + value + "\" is not " + expected + "; using " + used;
    }

    record ModeSetting(Mode mode, String source) {
    }
}
