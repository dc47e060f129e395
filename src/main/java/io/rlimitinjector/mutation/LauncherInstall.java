package io.rlimitinjector.mutation;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.List;

/**
 * The pod-level half of the injection: the shared volume and the init container that fills it. Model objects are
 * made with setters, not fabric8's builders, which cost more than the rest of a pod's mutation.
 */
final class LauncherInstall {
    /** The launcher is about 2 MiB; the volume is tmpfs, so its size counts against the pod's memory. */
    static final String VOLUME_SIZE = "8Mi";
    static final long RUN_AS = 65532;

    private LauncherInstall() {
    }

    /** The ServiceAccount admission plugin mounts the API token into every container without a mount here. */
    static final String TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";

    static void addTo(PodSpec spec, InjectionSettings settings, ResourceRequirements resources) {
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
                .orElseGet(() -> container(settings, resources));
        initContainers.remove(install);
        initContainers.add(0, install);
        spec.setInitContainers(initContainers);
    }

    static boolean isInstallContainer(Container container) {
        return Contract.INSTALL_CONTAINER.equals(container.getName());
    }

    private static Volume volume() {
        EmptyDirVolumeSource memory = new EmptyDirVolumeSource();
        memory.setMedium("Memory");
        memory.setSizeLimit(new Quantity(VOLUME_SIZE));
        Volume volume = new Volume();
        volume.setName(Contract.VOLUME);
        volume.setEmptyDir(memory);
        return volume;
    }

    /** Pod Security "restricted" in full, so the injection never makes a compliant pod non-compliant. */
    private static Container container(InjectionSettings settings, ResourceRequirements resources) {
        Container install = new Container();
        install.setName(Contract.INSTALL_CONTAINER);
        install.setImage(settings.launcherImage());
        install.setImagePullPolicy("IfNotPresent");
        install.setCommand(new ArrayList<>(List.of("/launch", "--install", Contract.MOUNT_PATH)));
        install.setResources(resources);
        VolumeMount mount = new VolumeMount();
        mount.setName(Contract.VOLUME);
        mount.setMountPath(Contract.MOUNT_PATH);
        // The install needs no API token. Without a mount of its own there, the API server's ServiceAccount plugin
        // adds the token after us, and that change makes the API server call the webhook a second time.
        VolumeMount noToken = new VolumeMount();
        noToken.setName(Contract.VOLUME);
        noToken.setMountPath(TOKEN_PATH);
        noToken.setReadOnly(true);
        install.setVolumeMounts(new ArrayList<>(List.of(mount, noToken)));
        install.setTerminationMessagePolicy("FallbackToLogsOnError");
        SecurityContext security = new SecurityContext();
        security.setRunAsNonRoot(true);
        security.setRunAsUser(RUN_AS);
        security.setRunAsGroup(RUN_AS);
        security.setAllowPrivilegeEscalation(false);
        security.setReadOnlyRootFilesystem(true);
        Capabilities capabilities = new Capabilities();
        capabilities.setDrop(new ArrayList<>(List.of("ALL")));
        security.setCapabilities(capabilities);
        SeccompProfile seccomp = new SeccompProfile();
        seccomp.setType("RuntimeDefault");
        security.setSeccompProfile(seccomp);
        install.setSecurityContext(security);
        return install;
    }
}
