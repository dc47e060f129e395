package io.rlimitinjector.mutation;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The install container's resources, copied from the pod's own app container with the most memory. A copy of a
 * container the pod already has keeps the pod what it was, by construction:
 * <ul>
 *   <li>QoS class: the copy has limits and requests exactly where that container has them, so a Guaranteed pod
 *       stays Guaranteed and a Burstable one stays Burstable;</li>
 *   <li>LimitRange: min, max, defaults and limit/request ratio apply per container, and that container passes;</li>
 *   <li>ResourceQuota and the scheduler: an init container counts as the larger of itself and the sum of the app
 *       containers, and one app container is never larger than that sum; a quota on cpu or memory requires every
 *       container to set them, and the copied one does.</li>
 * </ul>
 * Only cpu, memory and ephemeral storage are copied: extended resources and huge pages would be allocated to the
 * install container for nothing.
 *
 * @param requirements what the install container gets; null when the copied container has none, when the pod
 *     already has the install container, or when {@code problem} says why nothing fits
 * @param problem why the pod's own shape leaves no safe resources for the install container
 */
record InstallResources(ResourceRequirements requirements, String problem) {
    /** The install peaks at 3.3 MiB, its 2.1 MiB copy included (measured in a memory cgroup); the rest is room. */
    static final long MEMORY_FLOOR = 16L << 20;
    private static final Set<String> COPIED = Set.of("cpu", "memory", "ephemeral-storage");
    /** Nothing to copy and nothing in the way; also what a pod without an install container gets. */
    static final InstallResources NONE = new InstallResources(null, null);

    static InstallResources of(PodSpec spec) {
        if (spec.getInitContainers() != null
                && spec.getInitContainers().stream().anyMatch(LauncherInstall::isInstallContainer)) {
            // Reinvocation: the install container is there, with the resources the first pass chose.
            return NONE;
        }
        List<Container> containers = spec.getContainers() == null ? List.of() : spec.getContainers();
        // A container's limit is the one that binds it: under a pod-level limit, a container without its own has
        // the pod's, and the install container, which copies none, gets the pod's too.
        Optional<Container> largest = containers.stream()
                .max(Comparator.comparingLong(container -> MemoryLimit.bytesOrUnlimited(container, spec)));
        if (largest.isEmpty()) {
            return NONE;
        }
        Container template = largest.get();
        String need = " is below the " + (MEMORY_FLOOR >> 20) + "Mi the launcher's install container needs";
        if (MemoryLimit.bytesOrUnlimited(template, spec) < MEMORY_FLOOR) {
            // The API server holds an app container's own limit to at most the pod's: one without binds.
            return new InstallResources(null, MemoryLimit.ownText(template) == null
                    ? "the pod-level memory limit, " + MemoryLimit.podText(spec) + ", which binds container \""
                            + template.getName() + "\" and the install container alike," + need
                    : "the pod's largest memory limit, " + MemoryLimit.ownText(template) + " (container \""
                            + template.getName() + "\")," + need + "; any other size could change the pod's QoS"
                            + " class or its LimitRange or quota outcome");
        }
        ResourceRequirements own = template.getResources();
        Map<String, Quantity> requests = own == null ? null : copied(own.getRequests());
        Map<String, Quantity> limits = own == null ? null : copied(own.getLimits());
        if (requests == null && limits == null) {
            return NONE;
        }
        ResourceRequirements copy = new ResourceRequirements();
        copy.setRequests(requests);
        copy.setLimits(limits);
        return new InstallResources(copy, null);
    }

    boolean possible() {
        return problem == null;
    }

    private static Map<String, Quantity> copied(Map<String, Quantity> quantities) {
        if (quantities == null) {
            return null;
        }
        Map<String, Quantity> copy = new LinkedHashMap<>();
        quantities.forEach((name, quantity) -> {
            if (COPIED.contains(name)) {
                copy.put(name, new Quantity(quantity.toString()));
            }
        });
        return copy.isEmpty() ? null : copy;
    }
}
