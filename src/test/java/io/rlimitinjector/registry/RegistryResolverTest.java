package io.rlimitinjector.registry;

import static io.rlimitinjector.registry.RegistryFixtures.newRepository;
import static io.rlimitinjector.registry.RegistryFixtures.pod;
import static io.rlimitinjector.testing.TestImagesOci.DOCKER_MANIFEST;
import static io.rlimitinjector.testing.TestImagesOci.OCI_MANIFEST;
import static io.rlimitinjector.testing.TestImagesOci.config;
import static io.rlimitinjector.testing.TestImagesOci.pushImage;
import static io.rlimitinjector.testing.TestImagesOci.pushIndex;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.rlimitinjector.mutation.ContainerDecision;
import io.rlimitinjector.mutation.Contract;
import io.rlimitinjector.mutation.EntrypointResolver.Lookup;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.MutationResult;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.testing.LocalRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image entrypoints read from a real registry, through the whole mutation. */
class RegistryResolverTest {
    private static final String LAUNCH = Contract.LAUNCHER;

    @TempDir
    Path dir;

    @Test
    void followsKubernetesCommandAndArgsRulesWithImagesFromTheRegistry() throws Exception {
        LocalRegistry registry = LocalRegistry.plain();
        String entrypointOnly = newRepository("entrypoint-only");
        String cmdOnly = newRepository("cmd-only");
        String both = newRepository("both");
        pushImage(registry, entrypointOnly, "1", DOCKER_MANIFEST,
                config(List.of("/usr/local/bin/java", "-jar", "/app.jar"), null, Map.of(), "amd64"));
        pushImage(registry, cmdOnly, "1", OCI_MANIFEST,
                config(null, List.of("python3", "app.py"), Map.of("PYTHON_VERSION", "3.12.1"), "amd64"));
        pushImage(registry, both, "1", OCI_MANIFEST,
                config(List.of("/docker-entrypoint.sh"), List.of("serve", "--port=80"), Map.of("NODE_VERSION", "20.11.0"),
                        "amd64"));
        PodMutator mutator = new PodMutator(InjectionSettings.defaults());
        RegistryResolver resolver = RegistryFixtures.plainResolver(registry);

        // Neither command nor args: command = launcher + ENTRYPOINT, args = CMD.
        Container java = only(mutator.mutate(pod(registry.host() + "/" + entrypointOnly + ":1", null, null, null),
                "ns", resolver));
        assertThat(java.getCommand()).containsExactly(LAUNCH, "--", "/usr/local/bin/java", "-jar", "/app.jar");
        assertThat(java.getArgs()).isEmpty();
        assertThat(env(java, Contract.ENV_MODE)).isEqualTo("data");

        Container python = only(mutator.mutate(pod(registry.host() + "/" + cmdOnly + ":1", null, null, null),
                "ns", resolver));
        assertThat(python.getCommand()).containsExactly(LAUNCH, "--");
        assertThat(python.getArgs()).containsExactly("python3", "app.py");
        assertThat(env(python, Contract.ENV_MODE)).isEqualTo("as");

        MutationResult neither = mutator.mutate(pod(registry.host() + "/" + both + ":1", null, null, null), "ns",
                resolver);
        assertThat(only(neither).getCommand()).containsExactly(LAUNCH, "--", "/docker-entrypoint.sh");
        assertThat(only(neither).getArgs()).containsExactly("serve", "--port=80");
        ContainerDecision decision = neither.decisions().get(0);
        assertThat(decision.entrypointSource()).isEqualTo("registry");
        assertThat(decision.modeReason()).contains("NODE_VERSION");

        // Args set, no command: command = launcher + ENTRYPOINT, the pod's args stay.
        Container withArgs = only(mutator.mutate(pod(registry.host() + "/" + both + ":1", List.of("migrate"), null, null),
                "ns", resolver));
        assertThat(withArgs.getCommand()).containsExactly(LAUNCH, "--", "/docker-entrypoint.sh");
        assertThat(withArgs.getArgs()).containsExactly("migrate");
    }

    @Test
    void twoPlatformIndexResolvesToAmd64AndWarnsWhenPlatformsDiffer() throws Exception {
        LocalRegistry registry = LocalRegistry.plain();
        String same = newRepository("index-same");
        String differing = newRepository("index-differing");
        pushIndex(registry, same, "1", config(List.of("/bin/app"), List.of(), Map.of(), "amd64"),
                config(List.of("/bin/app"), List.of(), Map.of(), "arm64"));
        pushIndex(registry, differing, "1", config(List.of("/bin/app-amd64"), List.of(), Map.of(), "amd64"),
                config(List.of("/bin/app-arm64"), List.of(), Map.of(), "arm64"));
        RegistryResolver resolver = RegistryFixtures.plainResolver(registry);

        Lookup sameLookup = resolver.resolve(registry.host() + "/" + same + ":1", pod("x", null, null, null), "ns");
        assertThat(sameLookup.isFound()).as(String.valueOf(sameLookup.failure())).isTrue();
        assertThat(sameLookup.config().entrypoint()).containsExactly("/bin/app");
        assertThat(sameLookup.config().warnings()).isEmpty();

        MutationResult result = new PodMutator(InjectionSettings.defaults())
                .mutate(pod(registry.host() + "/" + differing + ":1", null, null, null), "ns", resolver);
        assertThat(only(result).getCommand()).containsExactly(LAUNCH, "--", "/bin/app-amd64");
        assertThat(result.warnings()).anySatisfy(warning -> assertThat(warning)
                .contains("differ between platforms").contains("linux/arm64").contains("/bin/app-arm64"));
    }

    @Test
    void privateRegistryResolvesWithTheRightPullSecretOnly() throws Exception {
        LocalRegistry registry = LocalRegistry.secured();
        String repository = newRepository("private");
        pushImage(registry, repository, "v1", OCI_MANIFEST, config(List.of("/srv/app"), List.of(), Map.of(), "amd64"));
        String image = registry.host() + "/" + repository + ":v1";
        RegistryFixtures.InMemorySecrets secrets = new RegistryFixtures.InMemorySecrets()
                .add(RegistryFixtures.dockerConfigJson("ns", "right", registry.host(), LocalRegistry.USER,
                        LocalRegistry.PASSWORD))
                .add(RegistryFixtures.dockerCfg("ns", "wrong", "https://" + registry.host() + "/v1/", LocalRegistry.USER,
                        "not-the-password"))
                .account("ns", "builder", "right");
        RegistryResolver resolver = RegistryFixtures.securedResolver(registry, dir,
                new PullCredentials(secrets, "webhook", null));
        PodMutator mutator = new PodMutator(InjectionSettings.defaults());

        // The pod author learns that access was refused, and how to do without; not which secrets or users were tried.
        MutationResult wrong = mutator.mutate(pod(image, null, null, "wrong"), "ns", resolver);
        assertThat(wrong.decisions().get(0).isWrapped()).isFalse();
        assertThat(wrong.warnings()).singleElement().satisfies(warning -> assertThat(warning)
                .contains("(registry-unauthorized)").contains(Contract.COMMAND_PREFIX + "app")
                .doesNotContain("wrong").doesNotContain(LocalRegistry.USER));

        MutationResult anonymous = mutator.mutate(pod(image, null, null, null), "ns", resolver);
        assertThat(anonymous.warnings()).singleElement().satisfies(warning -> assertThat(warning)
                .contains("(registry-unauthorized)"));

        // The wrong secret on the pod is tried, then the right one on its service account.
        MutationResult right = mutator.mutate(pod(image, null, "builder", "wrong"), "ns", resolver);
        assertThat(only(right).getCommand()).containsExactly(LAUNCH, "--", "/srv/app");
        assertThat(right.warnings()).isEmpty();
    }

    @Test
    void defaultPullSecretInTheWebhookNamespaceIsTriedForEveryPod() throws Exception {
        LocalRegistry registry = LocalRegistry.secured();
        String repository = newRepository("default-secret");
        pushImage(registry, repository, "v1", DOCKER_MANIFEST, config(List.of("/srv/app"), null, Map.of(), "amd64"));
        RegistryFixtures.InMemorySecrets secrets = new RegistryFixtures.InMemorySecrets()
                .add(RegistryFixtures.dockerConfigJson("webhook", "pull", registry.host(), LocalRegistry.USER,
                        LocalRegistry.PASSWORD));
        RegistryResolver resolver = RegistryFixtures.securedResolver(registry, dir,
                new PullCredentials(secrets, "webhook", "pull"));

        Lookup lookup = resolver.resolve(registry.host() + "/" + repository + ":v1", pod("x", null, null, null), "ns");
        assertThat(lookup.isFound()).as(String.valueOf(lookup.failure())).isTrue();
        assertThat(lookup.config().entrypoint()).containsExactly("/srv/app");
    }

    @Test
    void unverifiedTlsOnlyForHostsListedAsInsecure() throws Exception {
        LocalRegistry registry = LocalRegistry.secured();
        String repository = newRepository("insecure-tls");
        pushImage(registry, repository, "v1", OCI_MANIFEST, config(List.of("/srv/app"), null, Map.of(), "amd64"));
        String image = registry.host() + "/" + repository + ":v1";
        RegistryFixtures.InMemorySecrets secrets = new RegistryFixtures.InMemorySecrets()
                .add(RegistryFixtures.dockerConfigJson("ns", "pull", registry.host(), LocalRegistry.USER,
                        LocalRegistry.PASSWORD));
        PullCredentials credentials = new PullCredentials(secrets, "webhook", null);

        // Listed as private, its address is allowed, but its certificate still has to verify.
        Lookup untrusted = new RegistryResolver(RegistryFixtures.settings(Duration.ofSeconds(3), Set.of(),
                Set.of(registry.host()), null), credentials).resolve(image, pod(image, null, null, "pull"), "ns");
        Lookup insecure = new RegistryResolver(RegistryFixtures.settings(Duration.ofSeconds(3), Set.of(registry.host()),
                Set.of(), null), credentials).resolve(image, pod(image, null, null, "pull"), "ns");

        assertThat(untrusted.failure()).isEqualTo("registry-unreachable");
        assertThat(insecure.isFound()).as(String.valueOf(insecure.failure())).isTrue();
    }

    @Test
    void anonymousBearerTokenFlowWithTheRegistrysTokenServer() throws Exception {
        LocalRegistry registry = LocalRegistry.tokenAuth();
        String repository = newRepository("token");
        pushIndex(registry, repository, "1", config(List.of("/bin/app"), List.of("--serve"), Map.of(), "amd64"),
                config(List.of("/bin/app"), List.of("--serve"), Map.of(), "arm64"));
        int tokenRequestsBefore = registry.tokens().queries().size();

        Lookup lookup = RegistryFixtures.plainResolver(registry)
                .resolve(registry.host() + "/" + repository + ":1", pod("x", null, null, null), "ns");

        assertThat(lookup.isFound()).as(String.valueOf(lookup.failure())).isTrue();
        assertThat(lookup.config().cmd()).containsExactly("--serve");
        // One token for the whole lookup: index, two manifests and two configs.
        List<String> queries = registry.tokens().queries();
        assertThat(queries.subList(tokenRequestsBefore, queries.size())).singleElement().satisfies(query -> assertThat(query)
                .contains("service=test-registry").contains("scope=repository%3A" + repository.replace("/", "%2F") + "%3Apull"));
    }

    @Test
    void mirrorIsTriedBeforeTheRegistryItself() throws Exception {
        LocalRegistry mirror = LocalRegistry.plain();
        String repository = newRepository("mirrored");
        pushImage(mirror, repository, "1", OCI_MANIFEST, config(List.of("/bin/mirrored"), null, Map.of(), "amd64"));
        String origin;
        try (java.net.ServerSocket closed = new java.net.ServerSocket(0)) {
            origin = "127.0.0.1:" + closed.getLocalPort();
        }
        RegistrySettings settings = new RegistrySettings(Duration.ofSeconds(3), Map.of(origin, mirror.host()),
                Set.of(mirror.host()), Set.of(), null, Duration.ofMinutes(5), 100);

        Lookup lookup = new RegistryResolver(settings, PullCredentials.NONE)
                .resolve(origin + "/" + repository + ":1", pod("x", null, null, null), "ns");

        assertThat(lookup.isFound()).as(String.valueOf(lookup.failure())).isTrue();
        assertThat(lookup.config().entrypoint()).containsExactly("/bin/mirrored");
    }

    @Test
    void imagesAreReadByDigestToo() throws Exception {
        LocalRegistry registry = LocalRegistry.plain();
        String repository = newRepository("by-digest");
        String digest = pushImage(registry, repository, "1", OCI_MANIFEST,
                config(List.of("/bin/pinned"), null, Map.of(), "amd64"));

        Lookup lookup = RegistryFixtures.plainResolver(registry)
                .resolve(registry.host() + "/" + repository + "@" + digest, pod("x", null, null, null), "ns");

        assertThat(lookup.isFound()).as(String.valueOf(lookup.failure())).isTrue();
        assertThat(lookup.config().entrypoint()).containsExactly("/bin/pinned");
    }

    static Container only(MutationResult result) {
        assertThat(result.decisions()).as(result.warnings().toString()).allMatch(ContainerDecision::isWrapped);
        return result.pod().getSpec().getContainers().get(0);
    }

    private static String env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).findFirst().orElseThrow().getValue();
    }
}
