package io.rlimitinjector.mutation;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EmptyDirVolumeSource;
import io.fabric8.kubernetes.api.model.ImageVolumeSource;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
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
 * The pod-level half of the injection: the volume the wrapped containers run the launcher from, and for the
 * init-container delivery the init container that fills it. Model objects are made with setters, not fabric8's
 * builders, which cost more than the rest of a pod's mutation.
 */
final class LauncherInstall {
    /** Room for two copies of the launcher (about 2 MiB, written beside the old one and renamed). */
    static final String VOLUME_SIZE = "8Mi";
    static final long RUN_AS = 65532;

    private LauncherInstall() {
    }

    /** The ServiceAccount admission plugin mounts the API token into every container without a mount here. */
    static final String TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount";

    static void addTo(PodSpec spec, InjectionSettings settings, Delivery delivery, ResourceRequirements resources) {
        List<Volume> volumes = spec.getVolumes() == null ? new ArrayList<>() : new ArrayList<>(spec.getVolumes());
        if (volumes.stream().noneMatch(volume -> Contract.VOLUME.equals(volume.getName()))) {
            volumes.add(delivery == Delivery.IMAGE_VOLUME ? imageVolume(settings) : emptyDir());
        }
        spec.setVolumes(volumes);
        addPullSecrets(spec, settings.launcherPullSecrets());
        if (delivery == Delivery.IMAGE_VOLUME) {
            return;
        }

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

    /**
     * The kubelet pulls every image of a pod, the launcher's too, with the pod's pull secrets, so the launcher's are
     * added to them; a name the pod already lists is not added twice.
     */
    private static void addPullSecrets(PodSpec spec, List<String> names) {
        List<LocalObjectReference> secrets = spec.getImagePullSecrets() == null
                ? new ArrayList<>() : new ArrayList<>(spec.getImagePullSecrets());
        List<String> missing = names.stream()
                .filter(name -> secrets.stream().noneMatch(secret -> name.equals(secret.getName())))
                .toList();
        if (missing.isEmpty()) {
            return;
        }
        missing.forEach(name -> secrets.add(new LocalObjectReference(name)));
        spec.setImagePullSecrets(secrets);
    }

    static boolean isInstallContainer(Container container) {
        return Contract.INSTALL_CONTAINER.equals(container.getName());
    }

    /**
     * On disk, not tmpfs: the copy's clean page cache is reclaimed before the pod's OOM killer acts, where a tmpfs
     * copy stays charged to the pod and takes 2 MiB from the program (docs/launcher.md, "The emptyDir").
     */
    private static Volume emptyDir() {
        EmptyDirVolumeSource disk = new EmptyDirVolumeSource();
        disk.setSizeLimit(new Quantity(VOLUME_SIZE));
        Volume volume = new Volume();
        volume.setName(Contract.VOLUME);
        volume.setEmptyDir(disk);
        return volume;
    }

    /** The launcher image's own files, {@code /launch} among them, read-only: the runtime mounts them. */
    private static Volume imageVolume(InjectionSettings settings) {
        ImageVolumeSource image = new ImageVolumeSource();
        image.setReference(settings.launcherImage());
        image.setPullPolicy(settings.launcherPullPolicy());
        Volume volume = new Volume();
        volume.setName(Contract.VOLUME);
        volume.setImage(image);
        return volume;
    }

    /** Pod Security "restricted" in full, so the injection never makes a compliant pod non-compliant. */
    private static Container container(InjectionSettings settings, ResourceRequirements resources) {
        Container install = new Container();
        install.setName(Contract.INSTALL_CONTAINER);
        install.setImage(settings.launcherImage());
        install.setImagePullPolicy(settings.launcherPullPolicy());
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
