package io.rlimitinjector.mutation;

import io.fabric8.kubernetes.api.model.Container;

/** A container of the pod together with the list it sits in, which decides how the status names it. */
record ContainerRef(Container container, String type) {
    static ContainerRef ofInit(Container container) {
        return new ContainerRef(container, "Always".equals(container.getRestartPolicy()) ? "sidecar" : "initContainer");
    }

    static ContainerRef of(Container container) {
        return new ContainerRef(container, "container");
    }

    String name() {
        return container.getName();
    }
}
