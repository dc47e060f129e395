package io.rlimitinjector.registry;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Optional;

/** Reads Secrets and ServiceAccounts from the API server; needs RBAC {@code get} on both. */
public final class KubernetesSecretSource implements SecretSource {
    private final KubernetesClient client;

    public KubernetesSecretSource(KubernetesClient client) {
        this.client = client;
    }

    @Override
    public Optional<Secret> secret(String namespace, String name) {
        return Optional.ofNullable(client.secrets().inNamespace(namespace).withName(name).get());
    }

    @Override
    public Optional<ServiceAccount> serviceAccount(String namespace, String name) {
        return Optional.ofNullable(client.serviceAccounts().inNamespace(namespace).withName(name).get());
    }
}
