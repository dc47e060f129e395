package io.rlimitinjector.mutation;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * What was done to one container, as written to the status annotation. A wrapped container has a mode and no
 * {@code skipped}; a skipped one has only its name, type, the reason's code and what exactly was wrong.
 *
 * @param type {@code container}, {@code initContainer} or {@code sidecar} (an init container that keeps running)
 * @param mode {@code as}, {@code data}, or {@code auto} when the launcher decides
 * @param rlimit the bytes the launcher sets for that limit and ratio, its headroom taken off ({@link MemoryBudget})
 * @param noRlimit why the launcher sets none although it runs: the budget is under its floor
 * @param goMemLimit the {@code GOMEMLIMIT} the launcher gives a Go program, or why it gives none; only where the
 *     program is Go or is left to the launcher to recognise
 * @param memoryLimit the limit that binds the container: its own, or the pod-level one where that is tighter or
 *     the container has none ({@link MemoryLimit})
 * @param limitSource where that limit comes from and how the launcher gets it: the downward API's
 *     {@code limits.memory}, or the pod-level limit as a literal value
 * @param entrypointSource where the wrapped program came from: {@code command}, {@code annotation} or {@code registry}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "type", "mode", "modeReason", "ratio", "memoryLimit", "rlimit", "noRlimit", "goMemLimit", "limitSource",
        "entrypointSource", "launcherImage", "reason", "skipped"})
public record ContainerDecision(
        String name,
        String type,
        String mode,
        String modeReason,
        String ratio,
        String memoryLimit,
        Long rlimit,
        String noRlimit,
        String goMemLimit,
        String limitSource,
        String entrypointSource,
        String launcherImage,
        String reason,
        String skipped) {

    /** @param limit null for a container wrapped before whose limit is gone */
    static ContainerDecision wrapped(ContainerRef ref, ModeChoice mode, double ratio, MemoryLimit limit, Long rlimit,
            String noRlimit, String goMemLimit, String entrypointSource, String launcherImage) {
        MemoryLimit.Source source = limit == null ? MemoryLimit.Source.CONTAINER : limit.source();
        return new ContainerDecision(ref.name(), ref.type(), mode.mode().value(), mode.reason(), Ratio.format(ratio),
                limit == null ? null : limit.text(), rlimit, noRlimit, goMemLimit, source.status(), entrypointSource,
                launcherImage, null, null);
    }

    static ContainerDecision skipped(ContainerRef ref, SkipReason reason, String detail) {
        return new ContainerDecision(ref.name(), ref.type(), null, null, null, null, null, null, null, null, null, null,
                reason.code(), detail);
    }

    /** Whether a {@code limitSource} names the pod-level limit ({@code spec.resources}), not the container's own. */
    public static boolean isPodLevel(String limitSource) {
        return limitSource != null && !MemoryLimit.Source.CONTAINER.status().equals(limitSource);
    }

    @JsonIgnore
    public boolean isWrapped() {
        return skipped == null;
    }
}
