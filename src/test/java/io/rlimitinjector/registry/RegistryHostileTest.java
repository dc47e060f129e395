package io.rlimitinjector.registry;

import static io.rlimitinjector.registry.RegistryFixtures.newRepository;
import static io.rlimitinjector.registry.RegistryFixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.rlimitinjector.certs.CertificateAuthority;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.Contract;
import io.rlimitinjector.mutation.EntrypointResolver.Lookup;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.MutationResult;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.testing.HostileServer.Request;
import io.rlimitinjector.testing.HostileServer.Response;
import io.rlimitinjector.testing.HostileServer;
import io.rlimitinjector.testing.LocalRegistry;
import io.rlimitinjector.testing.TestImagesOci;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pod author who controls a registry, or names an address of the cluster's own, gains nothing: the hostile server
 * and the bystanders that count connections all listen on loopback, the only place tests send packets. Refusal of
 * private and link-local addresses is shown where it is decided, in {@link AddressPolicyTest}.
 */
class RegistryHostileTest {
    private static final Duration BUDGET = Duration.ofSeconds(3);
    private static final String HOSTILE_USER = "tenant-b";
    private static final String HOSTILE_PASSWORD = "b-password";

    @TempDir
    Path dir;

    @Test
    void loopbackInEveryFormIsRefusedUnlessListed() throws Exception {
        Map<String, String> forms = Map.of("127.0.0.1", "127.0.0.1", "127.1.2.3", "127.1.2.3",
                "localhost", "127.0.0.1", "[::1]", "::1");
        for (Map.Entry<String, String> form : forms.entrySet()) {
            try (HostileServer bystander = HostileServer.bystander(form.getValue())) {
                String host = form.getKey() + ":" + bystander.port();
                String image = host + "/app:1";

                Lookup refused = resolver(Set.of(), Set.of()).resolve(image, pod(image, null, null, null), "ns");
                assertThat(bystander.connections()).as(host).isZero();
                assertThat(refused.failure()).as(host).isEqualTo("registry-refused-address");

                // Listed, the same host is reached: the bystander does count what comes to it.
                Lookup listed = resolver(Set.of(), Set.of(host)).resolve(image, pod(image, null, null, null), "ns");
                assertThat(listed.failure()).as(host).isNotEqualTo("registry-refused-address");
                assertThat(bystander.connections()).as(host).isPositive();
            }
        }
    }

    @Test
    void aRedirectToPlainHttpOnTheSameHostIsNotFollowed() throws Exception {
        try (HostileServer registry = HostileServer.start("127.0.0.1", needsBasic(request ->
                Response.of(302, "Location", "http://127.0.0.1:" + portOf(request) + request.path())))) {
            String host = "127.0.0.1:" + registry.port();
            String image = host + "/app:1";

            Lookup lookup = resolver(Set.of(), Set.of(host), registry).resolve(image,
                    pod(image, null, null, "hostile"), "ns");

            assertThat(registry.requests()).as("the credential was in play").anyMatch(r -> has(r, "authorization"));
            assertThat(registry.requests()).as("nothing came over plain http").allMatch(Request::tls);
            assertThat(lookup.failure()).isEqualTo("registry-refused-address");
        }
    }

    @Test
    void aRedirectToAnotherHostMustPassTheAddressPolicy() throws Exception {
        try (HostileServer internal = HostileServer.bystander("127.0.0.1");
                HostileServer registry = HostileServer.start("127.0.0.1", request ->
                        Response.of(307, "Location", "https://127.0.0.1:" + internal.port() + "/admin"))) {
            String host = "127.0.0.1:" + registry.port();
            String image = host + "/app:1";

            Lookup lookup = resolver(Set.of(), Set.of(host), registry).resolve(image, pod(image, null, null, null), "ns");

            assertThat(registry.requests()).isNotEmpty();
            assertThat(internal.connections()).isZero();
            assertThat(lookup.failure()).isEqualTo("registry-refused-address");
        }
    }

    /** Even where a downgrade or another host is allowed, the credential stays with the scheme and host it was for. */
    @Test
    void theAuthorizationHeaderNeverCrossesToAnotherSchemeOrHost() throws Exception {
        try (HostileServer other = HostileServer.bystander("127.0.0.1");
                HostileServer registry = HostileServer.start("127.0.0.1", needsBasic(request -> request.tls()
                        ? Response.of(302, "Location", "http://127.0.0.1:" + portOf(request) + request.path())
                        : Response.of(302, "Location", "http://127.0.0.1:" + other.port() + request.path())))) {
            String host = "127.0.0.1:" + registry.port();
            String image = host + "/app:1";
            // Insecure: unverified TLS first, plain http allowed, so both redirects are followed.
            Lookup lookup = resolver(Set.of(host, "http://127.0.0.1:" + other.port()), Set.of(), registry)
                    .resolve(image, pod(image, null, null, "hostile"), "ns");

            assertThat(registry.requests()).anyMatch(r -> r.tls() && has(r, "authorization"));
            assertThat(registry.requests()).filteredOn(r -> !r.tls()).isNotEmpty()
                    .noneMatch(r -> has(r, "authorization"));
            assertThat(other.requests()).isNotEmpty().noneMatch(r -> has(r, "authorization"));
            assertThat(lookup.failure()).isEqualTo("image-not-found");
        }
    }

    @Test
    void aTokenRealmOverPlainHttpOrOnAnUnlistedLoopbackAddressIsNeverAsked() throws Exception {
        try (HostileServer listedRealm = HostileServer.bystander("127.0.0.1");
                HostileServer unlistedRealm = HostileServer.bystander("127.0.0.1")) {
            for (String realm : List.of("http://127.0.0.1:" + listedRealm.port() + "/token",
                    "https://127.0.0.1:" + unlistedRealm.port() + "/token")) {
                try (HostileServer registry = HostileServer.start("127.0.0.1", request -> Response.of(401,
                        "WWW-Authenticate", "Bearer realm=\"" + realm + "\",service=\"registry\""))) {
                    String host = "127.0.0.1:" + registry.port();
                    String image = host + "/" + newRepository("realm") + ":1";
                    PodMutator mutator = new PodMutator(InjectionSettings.defaults());
                    RegistryResolver resolver =
                            resolver(Set.of(), Set.of(host, "127.0.0.1:" + listedRealm.port()), registry);

                    MutationResult result = mutator.mutate(pod(image, null, null, "hostile"), "ns", resolver);

                    assertThat(listedRealm.connections() + unlistedRealm.connections()).as(realm).isZero();
                    // The pod author sees a code and the way out; no realm, port, status, secret or user.
                    assertThat(result.warnings()).as(realm).containsExactly("container \"app\" not wrapped: entrypoint"
                            + " of image " + image + " unknown (registry-refused-address); set annotation "
                            + Contract.COMMAND_PREFIX + "app to its ENTRYPOINT as a JSON array");
                }
            }
        }
    }

    /**
     * Tenant A's private config, read with A's pull secret from a real registry, is not what tenant B gets when B's
     * registry serves a manifest naming the same config digest.
     */
    @Test
    void aManifestNamingAnotherTenantsConfigDigestDoesNotGetItFromTheCache() throws Exception {
        LocalRegistry privateRegistry = LocalRegistry.secured();
        String repository = newRepository("tenant-a");
        byte[] secretConfig = TestImagesOci.config(List.of("/srv/tenant-a-secret"), null, Map.of(), "amd64");
        TestImagesOci.pushImage(privateRegistry, repository, "1", TestImagesOci.OCI_MANIFEST, secretConfig);
        String configDigest = TestImagesOci.digest(secretConfig);
        byte[] evilManifest = manifest(configDigest);
        try (HostileServer hostile = HostileServer.start("127.0.0.1", needsBasic(request ->
                request.path().contains("/manifests/") ? Response.json(evilManifest) : Response.of(404)))) {
            String hostileHost = "127.0.0.1:" + hostile.port();
            RegistryFixtures.InMemorySecrets secrets = new RegistryFixtures.InMemorySecrets()
                    .add(RegistryFixtures.dockerConfigJson("tenant-a", "pull", privateRegistry.host(),
                            LocalRegistry.USER, LocalRegistry.PASSWORD))
                    .add(RegistryFixtures.dockerConfigJson("tenant-b", "pull", hostileHost, HOSTILE_USER,
                            HOSTILE_PASSWORD));
            RegistryResolver resolver = new RegistryResolver(RegistryFixtures.settings(BUDGET, Set.of(),
                    Set.of(privateRegistry.host(), hostileHost),
                    RegistryFixtures.caFile(dir, privateRegistry.ca(), hostile.ca())),
                    new PullCredentials(secrets, "webhook", null));
            String victim = privateRegistry.host() + "/" + repository + ":1";
            String attacker = hostileHost + "/" + newRepository("tenant-b") + ":1";

            Lookup a = resolver.resolve(victim, pod(victim, null, null, "pull"), "tenant-a");
            Lookup b = resolver.resolve(attacker, pod(attacker, null, null, "pull"), "tenant-b");

            assertThat(a.isFound()).as(String.valueOf(a.failure())).isTrue();
            assertThat(a.config().entrypoint()).containsExactly("/srv/tenant-a-secret");
            assertThat(b.isFound()).as("tenant B got " + (b.isFound() ? b.config().entrypoint() : "")).isFalse();
            assertThat(b.failure()).isEqualTo("image-not-found");
            assertThat(hostile.requests()).as("the config was asked of B's registry, not taken from the cache")
                    .anyMatch(r -> r.path().endsWith("/blobs/" + configDigest));
        }
    }

    @Test
    void contentUnderADigestThatCannotBeVerifiedIsRefused() throws Exception {
        byte[] config = TestImagesOci.config(List.of("/bin/unverified"), null, Map.of(), "amd64");
        String sha1 = "sha1:" + hex("SHA-1", config);
        String wrongSha512 = "sha512:" + hex("SHA-512", "other content".getBytes(StandardCharsets.UTF_8));
        String rightSha512 = "sha512:" + hex("SHA-512", config);
        Map<String, byte[]> manifests = Map.of("sha1", manifest(sha1), "wrong512", manifest(wrongSha512),
                "right512", manifest(rightSha512));
        try (HostileServer registry = HostileServer.start("127.0.0.1", request -> {
            String tag = request.path().substring(request.path().lastIndexOf('/') + 1);
            return request.path().contains("/manifests/")
                    ? Response.json(manifests.getOrDefault(tag, new byte[0])) : Response.json(config);
        })) {
            String host = "127.0.0.1:" + registry.port();
            RegistryResolver resolver = resolver(Set.of(), Set.of(host), registry);

            Lookup sha1Lookup = resolver.resolve(host + "/app:sha1", pod("x", null, null, null), "ns");
            Lookup wrong = resolver.resolve(host + "/app:wrong512", pod("x", null, null, null), "ns");
            Lookup right = resolver.resolve(host + "/app:right512", pod("x", null, null, null), "ns");
            Lookup pinned = resolver.resolve(host + "/app@sha384:" + "a".repeat(96), pod("x", null, null, null), "ns");

            assertThat(sha1Lookup.failure()).isEqualTo("registry-invalid-response");
            assertThat(wrong.failure()).isEqualTo("registry-invalid-response");
            assertThat(right.isFound()).as(String.valueOf(right.failure())).isTrue();
            assertThat(right.config().entrypoint()).containsExactly("/bin/unverified");
            assertThat(pinned.failure()).isEqualTo("invalid-reference");
        }
    }

    private RegistryResolver resolver(Set<String> insecure, Set<String> listed, HostileServer... trusted)
            throws Exception {
        RegistryFixtures.InMemorySecrets secrets = new RegistryFixtures.InMemorySecrets();
        for (HostileServer server : trusted) {
            secrets.add(RegistryFixtures.dockerConfigJson("ns", "hostile", "127.0.0.1:" + server.port(),
                    HOSTILE_USER, HOSTILE_PASSWORD));
        }
        Path ca = trusted.length == 0 ? null
                : RegistryFixtures.caFile(dir, Arrays.stream(trusted).map(HostileServer::ca)
                        .toArray(CertificateAuthority[]::new));
        return new RegistryResolver(RegistryFixtures.settings(BUDGET, insecure, listed, ca),
                new PullCredentials(secrets, "webhook", null));
    }

    /** Asks for basic auth first, so the client holds a credential when {@code then} answers. */
    private static Function<Request, Response> needsBasic(Function<Request, Response> then) {
        String expected = "Basic " + Base64.getEncoder().encodeToString(
                (HOSTILE_USER + ":" + HOSTILE_PASSWORD).getBytes(StandardCharsets.UTF_8));
        return request -> request.tls() && !expected.equals(request.headers().get("authorization"))
                ? Response.of(401, "WWW-Authenticate", "Basic realm=\"hostile\"")
                : then.apply(request);
    }

    private static boolean has(Request request, String header) {
        return request.headers().containsKey(header);
    }

    private static String portOf(Request request) {
        String host = request.headers().get("host");
        return host.substring(host.lastIndexOf(':') + 1);
    }

    private static byte[] manifest(String configDigest) {
        return Json.MAPPER.writeValueAsBytes(Map.of("schemaVersion", 2, "mediaType", TestImagesOci.OCI_MANIFEST,
                "config", Map.of("mediaType", "application/vnd.oci.image.config.v1+json", "digest", configDigest,
                        "size", 1),
                "layers", List.of()));
    }

    private static String hex(String algorithm, byte[] content) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(content));
    }
}
