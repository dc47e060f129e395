package io.rlimitinjector.mutation;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import java.util.ArrayList;
import java.util.List;

/** The pod-level half of the injection: the shared volume and the init container that fills it. */
final class LauncherInstall {
    /** The launcher is about 2 MiB; the volume is tmpfs, so its size counts against the pod's memory. */
    static final String VOLUME_SIZE = "8Mi";
    static final long RUN_AS = 65532;

    private LauncherInstall() {
    }

    static void addTo(PodSpec spec, InjectionSettings settings) {
        List<Volume> volumes = spec.getVolumes() == null ? new ArrayList<>() : new ArrayList<>(spec.getVolumes());
        if (volumes.stream().noneMatch(volume -> Contract.VOLUME.equals(volume.getName()))) {
            volumes.add(volume());
        }
        spec.setVolumes(volumes);

        List<Container> initContainers = spec.getInitContainers() == null
                ? new ArrayList<>() : new ArrayList<>(spec.getInitContainers());
        // It must run before every other init container, since those may be wrapped too; another webhook
        // may have put its own in front on a reinvocation.
        Container install = initContainers.stream()
                .filter(LauncherInstall::isInstallContainer)
                .findFirst()
                .orElseGet(() -> container(settings));
        initContainers.remove(install);
        initContainers.add(0, install);
        spec.setInitContainers(initContainers);
    }

    static boolean isInstallContainer(Container container) {
        return Contract.INSTALL_CONTAINER.equals(container.getName());
    }

    private static Volume volume() {
        return new VolumeBuilder()
                .withName(Contract.VOLUME)
                .withNewEmptyDir().withMedium("Memory").withSizeLimit(new Quantity(VOLUME_SIZE)).endEmptyDir()
                .build();
    }

    /** Pod Security "restricted" in full, so the injection never makes a compliant pod non-compliant. */
    private static Container container(InjectionSettings settings) {
        return new ContainerBuilder()
                .withName(Contract.INSTALL_CONTAINER)
                .withImage(settings.launcherImage())
                .withImagePullPolicy("IfNotPresent")
                .withCommand("/launch", "--install", Contract.MOUNT_PATH)
                .withResources(settings.installResources())
                .addNewVolumeMount().withName(Contract.VOLUME).withMountPath(Contract.MOUNT_PATH).endVolumeMount()
                .withTerminationMessagePolicy("FallbackToLogsOnError")
                .withNewSecurityContext()
                    .withRunAsNonRoot(true)
                    .withRunAsUser(RUN_AS)
                    .withRunAsGroup(RUN_AS)
                    .withAllowPrivilegeEscalation(false)
                    .withReadOnlyRootFilesystem(true)
                    .withNewCapabilities().addToDrop("ALL").endCapabilities()
                    .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .build();
    }
}
