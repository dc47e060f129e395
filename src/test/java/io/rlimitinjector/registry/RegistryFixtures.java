package io.rlimitinjector.registry;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.rlimitinjector.certs.CertificateAuthority;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.testing.LocalRegistry;
import io.rlimitinjector.testing.Reviews;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/** Resolvers, pods and pull secrets for the registry tests. */
final class RegistryFixtures {
    private static final AtomicInteger REPOSITORIES = new AtomicInteger();

    private RegistryFixtures() {
    }

    /** A repository name no other test uses, so caches and request counts never mix. */
    static String newRepository(String prefix) {
        return "test/" + prefix + "-" + REPOSITORIES.incrementAndGet();
    }

    /**
     * @param insecure hosts reached over plain HTTP or unverified TLS
     * @param listed hosts reached over verified TLS although on loopback, as an in-cluster registry is private
     */
    static RegistrySettings settings(Duration budget, Set<String> insecure, Set<String> listed, Path caBundle) {
        return new RegistrySettings(budget, Map.of(), insecure, listed, caBundle, Duration.ofMinutes(5), 100);
    }

    /**
     * A resolver for a plain registry, which must be listed as insecure since it speaks plain HTTP on loopback, and
     * so must its token server, if it has one.
     */
    static RegistryResolver plainResolver(LocalRegistry registry) throws Exception {
        Set<String> insecure = registry.tokens() == null ? Set.of(registry.host())
                : Set.of(registry.host(), registry.tokens().host());
        return new RegistryResolver(settings(Duration.ofSeconds(3), insecure, Set.of(), null), PullCredentials.NONE);
    }

    /** A resolver for the TLS registry, listed as private (it is on loopback), trusting its CA. */
    static RegistryResolver securedResolver(LocalRegistry registry, Path dir, PullCredentials credentials)
            throws Exception {
        return new RegistryResolver(settings(Duration.ofSeconds(3), Set.of(), Set.of(registry.host()),
                caFile(dir, registry.ca())), credentials);
    }

    /** A PEM bundle of the CAs, for {@code --registry-ca-file}. */
    static Path caFile(Path dir, CertificateAuthority... authorities) throws Exception {
        Path file = Files.createTempFile(dir, "registry-ca", ".pem");
        for (CertificateAuthority ca : authorities) {
            Files.writeString(file, ca.certificatePem(), StandardOpenOption.APPEND);
        }
        return file;
    }

    /** A pod of one container with a memory limit and no command; {@code args} may be null. */
    static Pod pod(String image, List<String> args, String serviceAccount, String pullSecret) {
        StringBuilder yaml = new StringBuilder("""
                apiVersion: v1
                kind: Pod
                metadata: {name: app}
                spec:
                """);
        if (serviceAccount != null) {
            yaml.append("  serviceAccountName: ").append(serviceAccount).append('\n');
        }
        if (pullSecret != null) {
            yaml.append("  imagePullSecrets: [{name: ").append(pullSecret).append("}]\n");
        }
        yaml.append("  containers:\n    - name: app\n      image: ").append(Json.MAPPER.writeValueAsString(image))
                .append('\n');
        if (args != null) {
            yaml.append("      args: ").append(Json.MAPPER.writeValueAsString(args)).append('\n');
        }
        yaml.append("      resources: {limits: {memory: 512Mi}}\n");
        return Json.MAPPER.convertValue(Reviews.pod(yaml.toString()), Pod.class);
    }

    static Secret dockerConfigJson(String namespace, String name, String registry, String user, String password) {
        String auth = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        String json = "{\"auths\":{\"" + registry + "\":{\"auth\":\"" + auth + "\"}}}";
        return new SecretBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withType(DockerConfigSecret.CONFIG_JSON)
                .addToData(".dockerconfigjson", Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)))
                .build();
    }

    static Secret dockerCfg(String namespace, String name, String registry, String user, String password) {
        String json = "{\"" + registry + "\":{\"username\":\"" + user + "\",\"password\":\"" + password + "\"}}";
        return new SecretBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withType(DockerConfigSecret.CONFIG)
                .addToData(".dockercfg", Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8)))
                .build();
    }

    /** Secrets and service accounts held in memory: the API server's part, which this package only reads. */
    static final class InMemorySecrets implements SecretSource {
        private final Map<String, Secret> secrets = new HashMap<>();
        private final Map<String, ServiceAccount> accounts = new HashMap<>();

        InMemorySecrets add(Secret secret) {
            secrets.put(secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName(), secret);
            return this;
        }

        InMemorySecrets account(String namespace, String name, String... pullSecrets) {
            ServiceAccount account = new io.fabric8.kubernetes.api.model.ServiceAccountBuilder()
                    .withNewMetadata().withNamespace(namespace).withName(name).endMetadata().build();
            for (String secret : pullSecrets) {
                account.getImagePullSecrets().add(new io.fabric8.kubernetes.api.model.LocalObjectReference(secret));
            }
            accounts.put(namespace + "/" + name, account);
            return this;
        }

        @Override
        public Optional<Secret> secret(String namespace, String name) {
            return Optional.ofNullable(secrets.get(namespace + "/" + name));
        }

        @Override
        public Optional<ServiceAccount> serviceAccount(String namespace, String name) {
            return Optional.ofNullable(accounts.get(namespace + "/" + name));
        }
    }
}
