package io.rlimitinjector.registry;

import static io.rlimitinjector.registry.RegistryFixtures.newRepository;
import static io.rlimitinjector.registry.RegistryFixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import io.rlimitinjector.certs.CertificateAuthority;
import io.rlimitinjector.mutation.Contract;
import io.rlimitinjector.mutation.EntrypointResolver.Lookup;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.MutationResult;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.testing.HostileServer;
import io.rlimitinjector.testing.HostileServer.Request;
import io.rlimitinjector.testing.HostileServer.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
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
                    PodMutator mutator = new PodMutator(InjectionSettings.defaults(),
                            resolver(Set.of(), Set.of(host, "127.0.0.1:" + listedRealm.port()), registry));

                    MutationResult result = mutator.mutate(pod(image, null, null, "hostile"), "ns");

                    assertThat(listedRealm.connections() + unlistedRealm.connections()).as(realm).isZero();
                    // The pod author sees a code and the way out; no realm, port, status, secret or user.
                    assertThat(result.warnings()).as(realm).containsExactly("container \"app\" not wrapped: entrypoint"
                            + " of image " + image + " unknown (registry-refused-address); set annotation "
                            + Contract.COMMAND_PREFIX + "app to its ENTRYPOINT as a JSON array");
                }
            }
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

}
