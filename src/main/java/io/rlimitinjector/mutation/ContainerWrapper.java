package io.rlimitinjector.mutation;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarSource;
import io.fabric8.kubernetes.api.model.ResourceFieldSelector;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The container-level half of the injection: the launcher in front of the program, its settings and its mount. */
final class ContainerWrapper {
    private ContainerWrapper() {
    }

    static boolean isWrapped(Container container) {
        List<String> command = container.getCommand();
        return command != null && !command.isEmpty() && Contract.LAUNCHER.equals(command.get(0));
    }

    /**
     * Applies Kubernetes' rules: {@code command} replaces the image ENTRYPOINT and drops its CMD; {@code args}
     * replaces CMD. So the program moves into {@code command}, and the image CMD into {@code args} only when the pod
     * set neither.
     */
    /**
     * @param literalLimit the memory limit in bytes where the downward API would give a looser one than binds the
     *     container (a pod-level limit tighter than its own); empty for the downward API's {@code limits.memory}
     */
    static void wrap(Container container, Program program, Mode mode, double ratio, boolean goSoftLimit,
            Optional<String> literalLimit) {
        boolean hadCommand = container.getCommand() != null && !container.getCommand().isEmpty();
        boolean hadArgs = container.getArgs() != null && !container.getArgs().isEmpty();
        List<String> command = new ArrayList<>(List.of(Contract.LAUNCHER, "--"));
        command.addAll(program.entrypoint());
        container.setCommand(command);
        if (!hadCommand && !hadArgs && !program.defaultArgs().isEmpty()) {
            container.setArgs(new ArrayList<>(program.defaultArgs()));
        }

        List<EnvVar> env = container.getEnv() == null ? new ArrayList<>() : new ArrayList<>(container.getEnv());
        addIfAbsent(env, literalLimit.map(bytes -> new EnvVar(Contract.ENV_MEMORY_LIMIT, bytes, null))
                .orElseGet(ContainerWrapper::downwardLimit));
        addIfAbsent(env, new EnvVar(Contract.ENV_MODE, mode.value(), null));
        addIfAbsent(env, new EnvVar(Contract.ENV_RATIO, Ratio.format(ratio), null));
        if (!goSoftLimit) {
            addIfAbsent(env, new EnvVar(Contract.ENV_GO_SOFT_LIMIT, "off", null));
        }
        container.setEnv(env);

        List<VolumeMount> mounts = container.getVolumeMounts() == null
                ? new ArrayList<>() : new ArrayList<>(container.getVolumeMounts());
        VolumeMount mount = new VolumeMount();
        mount.setName(Contract.VOLUME);
        mount.setMountPath(Contract.MOUNT_PATH);
        mount.setReadOnly(true);
        mounts.add(mount);
        container.setVolumeMounts(mounts);
    }

    /**
     * The container's {@code limits.memory}; for a container without its own, the kubelet gives the pod-level limit
     * where there is one (docs/pod-level-resources.md).
     */
    private static EnvVar downwardLimit() {
        ResourceFieldSelector limitsMemory = new ResourceFieldSelector();
        limitsMemory.setResource("limits.memory");
        EnvVarSource memoryLimit = new EnvVarSource();
        memoryLimit.setResourceFieldRef(limitsMemory);
        return new EnvVar(Contract.ENV_MEMORY_LIMIT, null, memoryLimit);
    }

    /** A mount the launcher's would collide with; the API server rejects two mounts at one path. */
    static boolean hasConflictingMount(Container container) {
        return container.getVolumeMounts() != null && container.getVolumeMounts().stream()
                .anyMatch(mount -> Contract.MOUNT_PATH.equals(mount.getMountPath())
                        || Contract.VOLUME.equals(mount.getName()));
    }

    /** A variable the user set wins: it is how they override the webhook for one container. */
    private static void addIfAbsent(List<EnvVar> env, EnvVar variable) {
        if (env.stream().noneMatch(existing -> variable.getName().equals(existing.getName()))) {
            env.add(variable);
        }
    }
}
