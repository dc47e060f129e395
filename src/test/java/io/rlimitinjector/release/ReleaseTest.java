package io.rlimitinjector.release;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlimitinjector.json.Json;
import io.rlimitinjector.testing.KubeApiServer;
import io.rlimitinjector.testing.LocalRegistry;
import io.rlimitinjector.testing.Requirements;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * hack/release.sh, the steps .github/workflows/release.yml runs, here with a registry on loopback: the workflow
 * passes actionlint, the SBOMs name the real dependencies, and the chart takes the image digests as its defaults and
 * goes to an OCI registry and back. Pushing the images to a public registry and signing them (cosign keyless, an
 * OIDC token) cannot run here.
 */
class ReleaseTest {
    private static final String VERSION = "1.2.3";
    private static final String WEBHOOK = "registry.example/me/rlimit-injector@sha256:" + "1a".repeat(32);
    private static final String LAUNCHER = "registry.example/me/launcher@sha256:" + "2b".repeat(32);
    /** The tools' directories, PATH-style, from {@code hack/release.sh tools} (hack/test.sh runs it). */
    private static String tools;
    @TempDir
    static Path helmHome;

    @BeforeAll
    static void tools() {
        tools = System.getenv("RLIMIT_INJECTOR_RELEASE_TOOLS");
        Requirements.require(tools != null && Arrays.stream(tools.split(":")).map(Path::of)
                        .filter(dir -> Files.isDirectory(dir)).count() == 3,
                "helm, actionlint and cyclonedx-gomod (RLIMIT_INJECTOR_RELEASE_TOOLS=$(bash hack/release.sh tools))");
    }

    @Test
    void workflowPassesActionlint() throws Exception {
        run(Map.of(), "bash", "hack/release.sh", "lint");
    }

    @Test
    void sbomsNameTheRealDependencies(@TempDir Path out) throws Exception {
        run(Map.of(), "bash", "hack/release.sh", "sbom", out.toString(), VERSION);

        JsonNode webhook = Json.MAPPER.readTree(out.resolve("webhook.cdx.json").toFile());
        assertThat(webhook.path("bomFormat").asString()).isEqualTo("CycloneDX");
        assertThat(webhook.at("/metadata/component/purl").asString())
                .startsWith("pkg:maven/io.rlimit-injector/rlimit-injector@");
        List<String> jars = purls(webhook.path("components"));
        assertThat(jars).anyMatch(purl -> purl.startsWith("pkg:maven/io.fabric8/kubernetes-client@"))
                .anyMatch(purl -> purl.startsWith("pkg:maven/tools.jackson.core/jackson-databind@"))
                .anyMatch(purl -> purl.startsWith("pkg:maven/io.javalin/javalin@"));
        // What the image holds: no test dependency.
        assertThat(jars).noneMatch(purl -> purl.contains("/junit-jupiter") || purl.contains("/assertj-core@")
                || purl.contains("/helm-java@"));

        JsonNode launcher = Json.MAPPER.readTree(out.resolve("launcher.cdx.json").toFile());
        assertThat(launcher.at("/metadata/component/purl").asString())
                .startsWith("pkg:golang/rlimit-injector.io/launcher@v" + VERSION + "?");
        // Standard library only: the one module besides the launcher's own is std, with the packages it builds in.
        JsonNode modules = launcher.path("components");
        assertThat(purls(modules)).singleElement().asString().startsWith("pkg:golang/std@go");
        assertThat(StreamSupport.stream(modules.get(0).path("components").spliterator(), false)
                .map(module -> module.path("name").asString())).contains("syscall", "os");
    }

    @Test
    void chartTakesTheDigestsAndTravelsThroughAnOciRegistry(@TempDir Path out) throws Exception {
        Path digests = out.resolve("digests.env");
        Files.writeString(digests, "WEBHOOK_IMAGE=%s%nLAUNCHER_IMAGE=%s%n".formatted(WEBHOOK, LAUNCHER));
        Path chart = Path.of(lastLine(run(Map.of(), "bash", "hack/release.sh", "chart", out.toString(), VERSION,
                digests.toString())));
        assertThat(chart).isEqualTo(out.resolve("rlimit-injector-" + VERSION + ".tgz"));

        String rendered = run(Map.of(), helm(), "template", "rlimit-injector", chart.toString(),
                "--kube-version", "1.35.4");
        assertThat(rendered).contains("image: " + WEBHOOK, "value: \"" + LAUNCHER + "\"",
                "app.kubernetes.io/version: \"" + VERSION + "\"").doesNotContain("ghcr.io/");

        String registry = LocalRegistry.plain().host();
        run(Map.of("PLAIN_HTTP", "1"), "bash", "hack/release.sh", "push-chart", chart.toString(), registry);
        Path pulled = Files.createDirectory(out.resolve("pulled"));
        run(Map.of(), helm(), "pull", "oci://" + registry + "/charts/rlimit-injector", "--version", VERSION,
                "--plain-http", "--destination", pulled.toString());
        assertThat(pulled.resolve(chart.getFileName())).hasSameBinaryContentAs(chart);
    }

    /** The helm of the tools, by path: a program is looked up on the test's PATH, not on the one given to it. */
    private static String helm() {
        return Arrays.stream(tools.split(":")).map(dir -> Path.of(dir, "helm")).filter(Files::isExecutable)
                .findFirst().orElseThrow().toString();
    }

    private static List<String> purls(JsonNode components) {
        return StreamSupport.stream(components.spliterator(), false).map(c -> c.path("purl").asString()).toList();
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }

    /** Runs a command in the project with the release tools first on PATH and its own helm home; returns stdout. */
    private static String run(Map<String, String> environment, String... command) throws Exception {
        Path stdout = Files.createTempFile("release", ".out");
        Path stderr = Files.createTempFile("release", ".err");
        try {
            ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command)))
                    .directory(KubeApiServer.PROJECT.toFile())
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            builder.environment().put("PATH", tools + File.pathSeparator + System.getenv("PATH"));
            // helm keeps its registry logins and cache here: the test's own, not the user's.
            for (String dir : List.of("HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME")) {
                builder.environment().put(dir, helmHome.resolve(dir).toString());
            }
            builder.environment().putAll(environment);
            Process process = builder.start();
            if (!process.waitFor(4, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError(List.of(command) + " did not end within 4 minutes: "
                        + Files.readString(stderr));
            }
            assertThat(process.exitValue()).as("%s: %s", List.of(command), Files.readString(stderr)).isZero();
            return Files.readString(stdout, StandardCharsets.UTF_8);
        } finally {
            Files.delete(stdout);
            Files.delete(stderr);
        }
    }
}
