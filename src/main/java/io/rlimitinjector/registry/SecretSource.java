package io.rlimitinjector.registry;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import java.util.Optional;

/** The Kubernetes objects pull credentials come from; an interface so the registry client needs no API server in tests. */
public interface SecretSource {
    Optional<Secret> secret(String namespace, String name);

    Optional<ServiceAccount> serviceAccount(String namespace, String name);
}
