package io.rlimitinjector.registry;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.rlimitinjector.json.Json;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry credentials a pod's image pull may use, as the kubelet gathers them: the pod's
 * {@code imagePullSecrets}, its service account's, then an optional default secret of the webhook's own namespace.
 */
public final class PullCredentials {
    private static final Logger LOG = LoggerFactory.getLogger(PullCredentials.class);

    /** For when secrets are not read: only anonymous pulls. */
    public static final PullCredentials NONE = new PullCredentials(null, null, null);

    private final SecretSource source;
    private final String defaultNamespace;
    private final String defaultSecret;

    /**
     * @param defaultNamespace the webhook's namespace, where {@code defaultSecret} lives
     * @param defaultSecret a pull secret tried for every pod after its own, or null
     */
    public PullCredentials(SecretSource source, String defaultNamespace, String defaultSecret) {
        this.source = source;
        this.defaultNamespace = defaultNamespace;
        this.defaultSecret = defaultSecret;
    }

    /** Whether {@link #forPod} reads anything, which may take a while. */
    boolean readsSecrets() {
        return source != null;
    }

    /** A pod with only what {@link #forPod} reads: a lookup queued for a thread keeps a few names, not the pod. */
    static Pod pullView(Pod pod) {
        Pod view = new Pod();
        if (pod.getSpec() != null) {
            PodSpec spec = new PodSpec();
            spec.setImagePullSecrets(pod.getSpec().getImagePullSecrets());
            spec.setServiceAccountName(pod.getSpec().getServiceAccountName());
            view.setSpec(spec);
        }
        return view;
    }

    /** Every credential found, in the kubelet's order; secrets that are missing or unreadable are passed over. */
    List<RegistryCredential> forPod(Pod pod, String namespace) {
        if (source == null) {
            return List.of();
        }
        Set<String> names = new LinkedHashSet<>();
        if (pod.getSpec() != null) {
            refs(pod.getSpec().getImagePullSecrets(), names);
            String account = pod.getSpec().getServiceAccountName() == null ? "default" : pod.getSpec().getServiceAccountName();
            read(() -> source.serviceAccount(namespace, account)
                    .ifPresent(sa -> refs(sa.getImagePullSecrets(), names)), "service account " + namespace + "/" + account);
        }
        List<RegistryCredential> credentials = new ArrayList<>();
        for (String name : names) {
            read(() -> source.secret(namespace, name)
                    .ifPresent(secret -> credentials.addAll(DockerConfigSecret.credentials(secret))),
                    "secret " + namespace + "/" + name);
        }
        if (defaultSecret != null) {
            read(() -> source.secret(defaultNamespace, defaultSecret)
                    .ifPresent(secret -> credentials.addAll(DockerConfigSecret.credentials(secret))),
                    "secret " + defaultNamespace + "/" + defaultSecret);
        }
        return credentials;
    }

    private static void refs(List<LocalObjectReference> references, Set<String> names) {
        if (references != null) {
            references.stream().map(LocalObjectReference::getName).filter(name -> name != null && !name.isEmpty())
                    .forEach(names::add);
        }
    }

    /** A forbidden or failing read costs that secret only: anonymous pulls and the other secrets still work. */
    private static void read(Runnable reading, String what) {
        try {
            reading.run();
        } catch (RuntimeException e) {
            LOG.warn("cannot read {} for registry credentials: {}", Json.quoted(what), e.getMessage());
        }
    }
}
