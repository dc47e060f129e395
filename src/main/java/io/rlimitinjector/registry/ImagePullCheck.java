package io.rlimitinjector.registry;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Whether a node could pull an image now: its manifest read by reference (and, for an index, the platform manifests
 * and configs it names) the way a lookup reads it, mirror first, with the pull secrets of one namespace. The webhook
 * asks it about the launcher image, which every mutated pod pulls. The reason it gives is for the log only.
 */
public final class ImagePullCheck {
    /** Longer than an admission's budget: nobody waits on it, and a slow registry still serves the nodes. */
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final RegistryClient client;
    private final SecretSource secrets;
    private final String namespace;
    private final List<String> secretNames;

    /**
     * @param secrets where {@code secretNames} are read, at every check, so a created or rotated one counts; null
     *     when none are named
     * @param namespace the namespace of {@code secretNames}
     */
    public ImagePullCheck(RegistrySettings settings, SecretSource secrets, String namespace, List<String> secretNames)
            throws GeneralSecurityException, IOException {
        this.client = new RegistryClient(settings, AddressPolicy.of(settings));
        this.secrets = secrets;
        this.namespace = namespace;
        this.secretNames = List.copyOf(secretNames);
    }

    /** Empty when {@code image} resolves; else why not, and which pull secrets could not be read. */
    public Optional<String> problem(String image) {
        ImageReference reference;
        try {
            reference = ImageReference.parse(image);
        } catch (IllegalArgumentException e) {
            return Optional.of("invalid image reference: " + e.getMessage());
        }
        List<String> unread = new ArrayList<>();
        List<RegistryCredential> credentials = credentials(unread);
        try {
            client.fetch(reference, credentials, System.nanoTime() + TIMEOUT.toNanos());
            return Optional.empty();
        } catch (RegistryException e) {
            unread.add(0, e.getMessage());
            return Optional.of(String.join("; ", unread));
        }
    }

    private List<RegistryCredential> credentials(List<String> unread) {
        List<RegistryCredential> credentials = new ArrayList<>();
        for (String name : secretNames) {
            try {
                secrets.secret(namespace, name).ifPresentOrElse(
                        secret -> credentials.addAll(DockerConfigSecret.credentials(secret)),
                        () -> unread.add("pull secret " + namespace + "/" + name + " not found"));
            } catch (RuntimeException e) {
                unread.add("cannot read pull secret " + namespace + "/" + name + ": " + e.getMessage());
            }
        }
        return credentials;
    }
}
