package io.rlimitinjector.certs;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Secret that holds the self-managed certificates, shared by all replicas. Every write is conditional: a create
 * fails if another replica created it first, an update if another replica changed it since it was read; the loser
 * reads and uses the winner's, so replicas racing converge on one CA.
 */
public final class CertificateSecret {
    private final KubernetesClient client;
    private final String namespace;
    private final String name;

    public CertificateSecret(KubernetesClient client, String namespace, String name) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
    }

    /** A state with the Secret version it was read at, which an update must still match. */
    public record Versioned(CertificateState state, String resourceVersion) {
    }

    /** Reads the Secret, creating it with {@code initial} if there is none yet. */
    public Versioned readOrCreate(Initial initial) throws IOException, GeneralSecurityException {
        Secret existing = client.secrets().inNamespace(namespace).withName(name).get();
        if (existing != null) {
            return versioned(existing);
        }
        try {
            Secret created = client.secrets().inNamespace(namespace).resource(secret(initial.create(), null)).create();
            return versioned(created);
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            return versioned(client.secrets().inNamespace(namespace).withName(name).get());
        }
    }

    /**
     * Writes {@code next} if the Secret is still at {@code base}'s version; otherwise returns what another replica
     * wrote meanwhile.
     */
    public Versioned update(Versioned base, CertificateState next) throws IOException, GeneralSecurityException {
        try {
            return versioned(client.secrets().inNamespace(namespace).resource(secret(next, base.resourceVersion()))
                    .update());
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            return versioned(client.secrets().inNamespace(namespace).withName(name).get());
        }
    }

    /** Creates the first state; only called when the Secret does not exist, so racing replicas waste a key pair. */
    @FunctionalInterface
    public interface Initial {
        CertificateState create() throws GeneralSecurityException;
    }

    private Secret secret(CertificateState state, String resourceVersion) {
        Map<String, String> data = new LinkedHashMap<>();
        state.toData().forEach((key, pem) ->
                data.put(key, Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII))));
        return new SecretBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(namespace)
                .withResourceVersion(resourceVersion)
                .addToLabels("app.kubernetes.io/managed-by", "rlimit-injector")
                .endMetadata()
                .withType("kubernetes.io/tls")
                .withData(data)
                .build();
    }

    private static Versioned versioned(Secret secret) throws IOException, GeneralSecurityException {
        if (secret == null) {
            throw new IOException("certificate Secret vanished while being written");
        }
        Map<String, String> data = new LinkedHashMap<>();
        if (secret.getData() != null) {
            secret.getData().forEach((key, base64) ->
                    data.put(key, new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII)));
        }
        return new Versioned(CertificateState.fromData(data), secret.getMetadata().getResourceVersion());
    }
}
