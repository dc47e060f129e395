package io.rlimitinjector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlimitinjector.testing.LocalRegistry;
import io.rlimitinjector.testing.TestImagesOci;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code inject} reads entrypoints from a registry with the registry flags, and not at all with --no-registry. */
class InjectRegistryTest {
    @Test
    void injectLooksImagesUpUnlessToldNotTo() throws Exception {
        LocalRegistry registry = LocalRegistry.plain();
        TestImagesOci.pushImage(registry, "cli/app", "1", TestImagesOci.OCI_MANIFEST,
                TestImagesOci.config(List.of("/usr/bin/app"), List.of("--serve"), Map.of(), "amd64"));
        String pod = """
                apiVersion: v1
                kind: Pod
                metadata: {name: app}
                spec:
                  containers: [{name: app, image: %s/cli/app:1, resources: {limits: {memory: 1Gi}}}]
                """.formatted(registry.host());
        // The env twin of --insecure-registries, as a Helm chart would set it.
        Map<String, String> env = Map.of("RLIMIT_INJECTOR_INSECURE_REGISTRIES", registry.host());

        String[] looked = inject(pod, env, "-f", "-", "--registry-timeout-ms", "2000");
        String[] skipped = inject(pod, env, "-f", "-", "--no-registry");

        assertThat(looked[0]).contains("/usr/bin/app").contains("--serve");
        assertThat(looked[1]).isEmpty();
        assertThat(skipped[0]).doesNotContain("/usr/bin/app");
        assertThat(skipped[1]).contains("registry lookup is disabled");
    }

    private static String[] inject(String stdin, Map<String, String> env, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = InjectCommand.run(List.of(args), env, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertThat(code).isZero();
        return new String[] {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }
}
