package io.rlimitinjector.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.registry.KubernetesSecretSource;
import io.rlimitinjector.registry.LookupObserver;
import io.rlimitinjector.registry.PullCredentials;
import io.rlimitinjector.registry.RegistryResolver;
import io.rlimitinjector.registry.RegistrySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The registry lookup flags both {@code serve} and {@code inject} take. */
final class RegistryFlags {
    static final Set<String> NAMES = Set.of("registry-timeout-ms", "registry-mirrors", "insecure-registries",
            "private-registries", "registry-ca-file", "registry-cache-ttl-seconds", "registry-cache-size", "default-pull-secret");
    static final Set<String> SWITCHES = Set.of("no-registry", "read-pull-secrets");
    static final String USAGE = """
            Registry lookups (the image ENTRYPOINT/CMD of containers without command):
              --no-registry                 do not look images up; such containers need the command annotation
              --registry-timeout-ms N       longest wait for one lookup (default 3000)
              --registry-mirrors LIST       mirrors tried first, as docker.io=mirror.local:5000,quay.io=...
              --insecure-registries LIST    hosts reached over unverified TLS, else plain HTTP, as r.local:5000,...;
                                            http://r.local:5000 goes straight to plain HTTP
              --private-registries LIST     hosts reached over verified TLS whatever their address (in-cluster
                                            registries), as registry.svc:5000,...; a host that is not listed
                                            here, as insecure or as a mirror must resolve to public addresses only
              --registry-ca-file FILE       PEM bundle of extra CAs to trust for registries
              --registry-cache-ttl-seconds N  how long a tag's config is reused (default 300; digests for ever)
              --registry-cache-size N       most images remembered (default 1000)
              --read-pull-secrets           use the pod's and its service account's imagePullSecrets;
                                            needs RBAC get on secrets and serviceaccounts
              --default-pull-secret NAME    a pull secret in the webhook's namespace tried for every pod
                                            (with --read-pull-secrets)
            """;

    private RegistryFlags() {
    }

    /** @param kubernetes asked for its client only with {@code --read-pull-secrets}; not closed here */
    static EntrypointResolver resolver(Options options, LookupObserver observer, Supplier<KubernetesClient> kubernetes)
            throws Exception {
        if (options.has("no-registry")) {
            return EntrypointResolver.NONE;
        }
        RegistrySettings settings = settings(options);
        PullCredentials credentials = PullCredentials.NONE;
        if (options.has("read-pull-secrets")) {
            KubernetesClient client = kubernetes.get();
            credentials = new PullCredentials(new KubernetesSecretSource(client), client.getNamespace(),
                    options.get("default-pull-secret", null));
        }
        return new RegistryResolver(settings, credentials, observer);
    }

    /** How registries are reached, also for the launcher image check: mirrors, insecure hosts, CAs, the budget. */
    static RegistrySettings settings(Options options) {
        RegistrySettings defaults = RegistrySettings.defaults();
        String caFile = options.get("registry-ca-file", null);
        if (caFile != null && !Files.isReadable(Path.of(caFile))) {
            throw new Options.UsageException("--registry-ca-file " + caFile + " cannot be read");
        }
        return new RegistrySettings(
                Duration.ofMillis(positive(options, "registry-timeout-ms", (int) defaults.budget().toMillis())),
                mirrors(options.get("registry-mirrors", "")),
                list(options.get("insecure-registries", "")),
                list(options.get("private-registries", "")),
                caFile == null ? null : Path.of(caFile),
                Duration.ofSeconds(positive(options, "registry-cache-ttl-seconds", (int) defaults.cacheTtl().toSeconds())),
                positive(options, "registry-cache-size", defaults.cacheSize()));
    }

    private static int positive(Options options, String name, int fallback) {
        int value = options.getInt(name, fallback);
        if (value < 1) {
            throw new Options.UsageException("--" + name + " must be at least 1, got " + value);
        }
        return value;
    }

    private static Set<String> list(String text) {
        return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }

    private static Map<String, String> mirrors(String text) {
        Map<String, String> mirrors = new LinkedHashMap<>();
        for (String pair : list(text)) {
            String[] parts = pair.split("=", 2);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new Options.UsageException("--registry-mirrors takes REGISTRY=MIRROR pairs, got \"" + pair + "\"");
            }
            mirrors.put(parts[0].trim(), parts[1].trim());
        }
        return mirrors;
    }
}
