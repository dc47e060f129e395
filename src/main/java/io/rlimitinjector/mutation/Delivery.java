package io.rlimitinjector.mutation;

import io.fabric8.kubernetes.api.model.PodSpec;
import java.util.Optional;

/** How the launcher gets into a pod. The names are the contract's flag, chart and status values. */
public enum Delivery {
    /** An init container copies it into an emptyDir: works on every node, costs the init container's start. */
    INIT_CONTAINER("initContainer"),
    /** The launcher image mounted as a volume: no init container, but needs Kubernetes 1.35+ and containerd 2.1+. */
    IMAGE_VOLUME("imageVolume");

    private final String value;

    Delivery(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    public static Optional<Delivery> parse(String text) {
        for (Delivery delivery : values()) {
            if (delivery.value.equals(text)) {
                return Optional.of(delivery);
            }
        }
        return Optional.empty();
    }

    /**
     * The delivery a pod already has, from an earlier admission: a reinvocation must keep it, whatever the webhook
     * is set to now, or the wrapped containers would lose their launcher.
     */
    static Optional<Delivery> of(PodSpec spec) {
        if (spec.getVolumes() == null) {
            return Optional.empty();
        }
        return spec.getVolumes().stream()
                .filter(volume -> Contract.VOLUME.equals(volume.getName()))
                .findFirst()
                .map(volume -> volume.getImage() != null ? IMAGE_VOLUME : INIT_CONTAINER);
    }
}
