package io.rlimitinjector.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.testing.Reviews;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What a pod author writes reaches the webhook's log only quoted: names are not validated before admission. */
class LookupLogTest {
    private static final String FORGED = "\n[main] WARN io.rlimitinjector forged";

    @Test
    void aNewlineInAnImageOrPodNameCannotStartALogLine() throws Exception {
        RegistryResolver resolver = new RegistryResolver(
                RegistryFixtures.settings(Duration.ofSeconds(1), Set.of(), Set.of(), null), PullCredentials.NONE);
        Pod pod = Json.MAPPER.convertValue(Reviews.pod("""
                apiVersion: v1
                kind: Pod
                metadata: {name: "web\\n[main] WARN io.rlimitinjector forged"}
                spec: {containers: [{name: app, image: x}]}
                """), Pod.class);

        String log = stderrOf(() -> resolver.resolve("registry.test/app:1" + FORGED + "!", pod, "shop"));

        assertThat(log).as("the lookup was logged").contains("forged");
        assertThat(log).doesNotContain(FORGED);
    }

    private static String stderrOf(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
