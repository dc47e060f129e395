package io.rlimitinjector.mutation;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * The memory limit that binds a container: its own {@code resources.limits.memory}, the pod's
 * {@code spec.resources.limits.memory} (pod-level resources, KEP-2837), or the smaller of the two. The kubelet gives
 * a container without a limit of its own the pod's, in its cgroup and in the downward API; the pod's cgroup holds
 * the pod's whatever the container's. docs/pod-level-resources.md has what each shows, measured and cited.
 *
 * @param text the winning limit as written
 * @param source where it came from, which decides how it reaches the launcher
 */
public record MemoryLimit(String text, long bytes, Source source) {

    /** Where a container's limit comes from; {@link #status()} is the status annotation's {@code limitSource}. */
    public enum Source {
        /** The container's own, no tighter pod-level limit: the downward API gives it. */
        CONTAINER("downward API limits.memory"),
        /** The pod's, the container having none: the kubelet's downward API falls back to it. */
        POD("downward API limits.memory: the pod-level limit (spec.resources.limits.memory), the container has"
                + " none"),
        /**
         * The pod's, tighter than the container's own, which the API server allows only for init containers and
         * sidecars: the downward API gives the container's own, so the pod's is written as a literal value.
         */
        POD_TIGHTER("pod-level limit (spec.resources.limits.memory) as a literal value: tighter than the"
                + " container's own, which the downward API gives");

        private final String status;

        Source(String status) {
            this.status = status;
        }

        String status() {
            return status;
        }
    }

    /** Why a container has no limit the launcher can use, with the {@link SkipReason}. */
    static final class Unusable extends RuntimeException {
        private final SkipReason reason;

        Unusable(SkipReason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }

        SkipReason reason() {
            return reason;
        }
    }

    /** The limit that binds {@code container} in a pod of {@code spec}. */
    static MemoryLimit of(Container container, PodSpec spec) {
        String own = ownText(container);
        String pod = podText(spec);
        OptionalLong ownBytes = MemoryQuantity.toBytes(own);
        OptionalLong podBytes = MemoryQuantity.toBytes(pod);
        if (own != null && ownBytes.isEmpty()) {
            throw new Unusable(SkipReason.INVALID_MEMORY_LIMIT, "memory limit \"" + own + "\" is not a valid quantity");
        }
        if (own == null && pod == null) {
            throw new Unusable(SkipReason.NO_MEMORY_LIMIT, "no memory limit (resources.limits.memory)");
        }
        if (own == null && podBytes.isEmpty()) {
            throw new Unusable(SkipReason.INVALID_MEMORY_LIMIT, "pod-level memory limit \"" + pod
                    + "\" (spec.resources.limits.memory) is not a valid quantity");
        }
        if (own == null) {
            return new MemoryLimit(pod, podBytes.getAsLong(), Source.POD);
        }
        // An invalid pod-level limit the API server refuses anyway; the container's own still binds.
        if (podBytes.isPresent() && podBytes.getAsLong() < ownBytes.getAsLong()) {
            return new MemoryLimit(pod, podBytes.getAsLong(), Source.POD_TIGHTER);
        }
        return new MemoryLimit(own, ownBytes.getAsLong(), Source.CONTAINER);
    }

    /**
     * Bytes of the limit that binds the container, for comparing containers: {@link Long#MAX_VALUE} when nothing
     * binds it, as it may use all the node has; 0 for a limit that is not a quantity.
     */
    static long bytesOrUnlimited(Container container, PodSpec spec) {
        try {
            return of(container, spec).bytes();
        } catch (Unusable e) {
            return e.reason() == SkipReason.NO_MEMORY_LIMIT ? Long.MAX_VALUE : 0;
        }
    }

    /**
     * What the launcher gets in {@code RLIMIT_INJECTOR_MEMORY_LIMIT}: empty for the downward API's
     * {@code limits.memory}, which follows the kubelet; the bytes where the downward API would give a looser limit.
     */
    Optional<String> literal() {
        return source == Source.POD_TIGHTER ? Optional.of(Long.toString(bytes)) : Optional.empty();
    }

    /**
     * A warning when the containers that run side by side (app containers and sidecars) may together use more than
     * the pod-level limit: each one's rlimit stops it at its own limit, or at the whole pod's where it has none, so
     * together they can still reach the pod's and be OOM-killed. Only said of a pod where one of them is wrapped.
     */
    public static Optional<String> overcommit(PodSpec spec, List<ContainerDecision> decisions) {
        OptionalLong pod = spec == null ? OptionalLong.empty() : MemoryQuantity.toBytes(podText(spec));
        if (pod.isEmpty()) {
            return Optional.empty();
        }
        List<Container> together = Stream.concat(
                        list(spec.getInitContainers()).stream()
                                .filter(container -> "Always".equals(container.getRestartPolicy())),
                        list(spec.getContainers()).stream())
                .toList();
        boolean anyWrapped = together.stream().anyMatch(container -> decisions.stream()
                .anyMatch(decision -> decision.isWrapped() && decision.name().equals(container.getName())));
        long sum = 0;
        List<String> parts = new ArrayList<>();
        for (Container container : together) {
            MemoryLimit binding = ofOrPod(container, spec);
            sum = sum > Long.MAX_VALUE - binding.bytes() ? Long.MAX_VALUE : sum + binding.bytes();
            parts.add("\"" + container.getName() + "\" " + binding.text()
                    + (binding.source() == Source.CONTAINER ? "" : " (the pod's)"));
        }
        if (!anyWrapped || together.size() < 2 || sum <= pod.getAsLong()) {
            return Optional.empty();
        }
        // The list last: the webhook cuts a warning at 256 characters.
        return Optional.of("the containers' memory limits add up to more than the pod-level limit " + podText(spec)
                + ": each rlimit stops one container, not them together, so they can still be OOM-killed; give each"
                + " a limit, adding up to at most " + podText(spec) + ": " + String.join(", ", parts));
    }

    /** The limit that binds the container, the pod's where its own is not a quantity (the API server refuses it). */
    private static MemoryLimit ofOrPod(Container container, PodSpec spec) {
        try {
            return of(container, spec);
        } catch (Unusable e) {
            return new MemoryLimit(podText(spec), MemoryQuantity.toBytes(podText(spec)).orElseThrow(), Source.POD);
        }
    }

    /** The container's {@code resources.limits.memory} as written, or null. */
    static String ownText(Container container) {
        return memory(container.getResources() == null ? null : container.getResources().getLimits());
    }

    /** The pod's {@code spec.resources.limits.memory} as written, or null. */
    static String podText(PodSpec spec) {
        return memory(spec.getResources() == null ? null : spec.getResources().getLimits());
    }

    private static String memory(Map<String, Quantity> limits) {
        Quantity limit = limits == null ? null : limits.get("memory");
        return limit == null ? null : limit.toString();
    }

    private static <T> List<T> list(List<T> items) {
        return items == null ? List.of() : items;
    }
}
