package io.rlimitinjector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.registry.LookupObserver;
import io.rlimitinjector.testing.HostileServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --private-registries} (or its environment twin) is what lets lookups reach a registry on a private address. */
class RegistryFlagsTest {
    private final Supplier<KubernetesClient> noClient = () -> {
        throw new AssertionError("no API server client is needed without --read-pull-secrets");
    };

    @TempDir
    Path dir;

    @Test
    void aLoopbackRegistryIsReachedOnlyWhenListedAsPrivate() throws Exception {
        try (HostileServer registry = HostileServer.bystander("127.0.0.1")) {
            String host = "127.0.0.1:" + registry.port();
            Path ca = Files.writeString(dir.resolve("ca.pem"), registry.ca().certificatePem());
            Pod pod = Json.YAML.readValue("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: app}
                    spec: {containers: [{name: app, image: "%s/app:1"}]}
                    """.formatted(host), Pod.class);

            EntrypointResolver.Lookup unlisted = resolver(List.of("--registry-ca-file", ca.toString()), Map.of())
                    .resolve(host + "/app:1", pod, "ns");
            int connectionsWhenUnlisted = registry.connections();
            EntrypointResolver.Lookup byFlag = resolver(List.of("--registry-ca-file", ca.toString(),
                    "--private-registries", "r.example," + host), Map.of()).resolve(host + "/app:1", pod, "ns");
            EntrypointResolver.Lookup byVariable = resolver(List.of("--registry-ca-file", ca.toString()),
                    Map.of("RLIMIT_INJECTOR_PRIVATE_REGISTRIES", host)).resolve(host + "/app:1", pod, "ns");

            assertThat(unlisted.failure()).isEqualTo("registry-refused-address");
            assertThat(connectionsWhenUnlisted).isZero();
            assertThat(byFlag.failure()).isEqualTo("image-not-found");
            assertThat(byVariable.failure()).isEqualTo("image-not-found");
        }
    }

    private EntrypointResolver resolver(List<String> args, Map<String, String> env) throws Exception {
        return RegistryFlags.resolver(Options.parse(args, RegistryFlags.NAMES, RegistryFlags.SWITCHES, env),
                LookupObserver.NONE, noClient);
    }
}
