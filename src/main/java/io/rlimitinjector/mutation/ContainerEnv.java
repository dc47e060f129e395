package io.rlimitinjector.mutation;

import io.fabric8.kubernetes.api.model.EnvVar;
import java.util.List;
import java.util.Optional;

/** A container's environment as its program will see it. */
final class ContainerEnv {
    private ContainerEnv() {
    }

    /** The definition of {@code name} that counts: the kubelet keeps the last of a name given twice. */
    static Optional<EnvVar> last(List<EnvVar> env, String name) {
        return env.stream().filter(variable -> name.equals(variable.getName())).reduce((earlier, later) -> later);
    }
}
