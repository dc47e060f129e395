package io.rlimitinjector.registry;

import static io.rlimitinjector.registry.RegistryFixtures.newRepository;
import static io.rlimitinjector.registry.RegistryFixtures.pod;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Pod;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.EntrypointResolver.Lookup;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.MutationResult;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.testing.LocalRegistry;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Lookups that cannot succeed end within the budget as a skipped container with a reason code; nothing throws. The
 * registries here are on loopback, so each is listed as insecure.
 */
class RegistryFaultsTest {
    private static final Duration BUDGET = Duration.ofMillis(800);
    /** Scheduling noise on a busy two-core CI machine; the budget itself is the behaviour under test. */
    private static final Duration MARGIN = Duration.ofMillis(700);

    @Test
    void missingTagIsSkippedWithAWarning() throws Exception {
        LocalRegistry registry = LocalRegistry.plain();
        String image = registry.host() + "/" + newRepository("missing") + ":nope";
        PodMutator mutator = new PodMutator(InjectionSettings.defaults());

        long start = System.nanoTime();
        MutationResult result = mutator.mutate(pod(image, null, null, null), "ns", resolver(registry.host()));

        assertThat(elapsed(start)).isLessThan(BUDGET);
        assertThat(result.decisions().get(0).isWrapped()).isFalse();
        assertThat(result.warnings()).anySatisfy(warning -> assertThat(warning)
                .contains("not wrapped").contains("(image-not-found)").contains(image));
    }

    @Test
    void registryThatIsDownIsSkippedWithAWarning() throws Exception {
        String host = LocalRegistry.downHost();

        long start = System.nanoTime();
        Lookup lookup = resolver(host).resolve(host + "/app:1", pod("x", null, null, null), "ns");

        assertThat(elapsed(start)).isLessThan(BUDGET.plus(MARGIN));
        assertThat(lookup.isFound()).isFalse();
        assertThat(lookup.failure()).isEqualTo("registry-unreachable");
    }

    @Test
    void registryThatNeverAnswersIsBoundedByTheBudget() throws Exception {
        // Accepts connections (the kernel does) and never reads or answers them.
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            String host = "127.0.0.1:" + silent.getLocalPort();

            long start = System.nanoTime();
            Lookup lookup = resolver(host).resolve(host + "/app:1", pod("x", null, null, null), "ns");
            Duration took = elapsed(start);

            assertThat(lookup.isFound()).isFalse();
            assertThat(lookup.failure()).isEqualTo("registry-over-budget");
            assertThat(took).isGreaterThanOrEqualTo(BUDGET.minusMillis(50)).isLessThan(BUDGET.plus(MARGIN));
        }
    }

    /** The API server waits for the whole pod: three images on a dead registry cost one budget, not three. */
    @Test
    void onePodsLookupsShareOneBudget() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            String host = "127.0.0.1:" + silent.getLocalPort();
            Pod pod = Json.YAML.readValue("""
                    apiVersion: v1
                    kind: Pod
                    metadata: {name: three}
                    spec:
                      containers:
                        - {name: a, image: %1$s/a:1, resources: {limits: {memory: 1Gi}}}
                        - {name: b, image: %1$s/b:1, resources: {limits: {memory: 1Gi}}}
                        - {name: c, image: %1$s/c:1, resources: {limits: {memory: 1Gi}}}
                    """.formatted(host), Pod.class);
            PodMutator mutator = new PodMutator(InjectionSettings.defaults());

            long start = System.nanoTime();
            MutationResult result = mutator.mutate(pod, "ns", resolver(host));
            Duration took = elapsed(start);

            assertThat(result.wrappedCount()).isZero();
            assertThat(result.warnings()).hasSize(3)
                    .allSatisfy(warning -> assertThat(warning).contains("(registry-over-budget)"));
            assertThat(took).isLessThan(BUDGET.plus(MARGIN));
        }
    }

    @Test
    void registryTricklingABodyIsBoundedAndThenRememberedAsDown() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, 1000);
            exchange.getResponseBody().write("{\"schemaVersion\"".getBytes(StandardCharsets.UTF_8));
            exchange.getResponseBody().flush();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.start();
        try {
            String host = "127.0.0.1:" + server.getAddress().getPort();
            RegistryResolver resolver = resolver("http://" + host);

            long start = System.nanoTime();
            Lookup first = resolver.resolve(host + "/app:1", pod("x", null, null, null), "ns");
            Duration firstTook = elapsed(start);
            Thread.sleep(100);
            long again = System.nanoTime();
            Lookup second = resolver.resolve(host + "/app:1", pod("x", null, null, null), "ns");

            assertThat(first.failure()).isEqualTo("registry-over-budget");
            assertThat(firstTook).isLessThan(BUDGET.plus(MARGIN));
            assertThat(second.failure()).isEqualTo("registry-over-budget");
            assertThat(elapsed(again)).as("the failure is cached, not waited for again").isLessThan(MARGIN);
        } finally {
            release.countDown();
            server.stop(0);
        }
    }

    @Test
    void garbageFromTheRegistryIsAReasonNotACrash() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestURI().getPath().contains("/manifests/")
                    ? "{\"schemaVersion\": 2, \"config\": {\"digest\": \"../../etc/passwd\"}}".getBytes(StandardCharsets.UTF_8)
                    : "\u0000garbage".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            String host = "127.0.0.1:" + server.getAddress().getPort();
            Lookup lookup = resolver("http://" + host).resolve(host + "/app:1", pod("x", null, null, null), "ns");
            assertThat(lookup.isFound()).isFalse();
            assertThat(lookup.failure()).isEqualTo("registry-invalid-response");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void invalidReferenceIsAReason() throws Exception {
        Lookup lookup = resolver("r.test").resolve("Bad/UPPER:case", pod("x", null, null, null), "ns");
        assertThat(lookup.failure()).isEqualTo("invalid-reference");
    }

    private static RegistryResolver resolver(String insecureHost) throws Exception {
        return new RegistryResolver(RegistryFixtures.settings(BUDGET, Set.of(insecureHost), Set.of(), null),
                PullCredentials.NONE);
    }

    private static Duration elapsed(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
