package io.rlimitinjector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.rlimitinjector.events.AdmissionEvents;
import io.rlimitinjector.metrics.WebhookMetrics;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** {@code --events} is off unless the flag or its environment twin turns it on. */
class EventFlagsTest {
    private final WebhookMetrics metrics = new WebhookMetrics(Instant::now);
    private final Supplier<KubernetesClient> noClient = () -> {
        throw new AssertionError("no API server client should be needed when off");
    };

    @Test
    void offByDefault() {
        assertThat(EventFlags.start(options(List.of(), Map.of()), metrics, noClient)).isEmpty();
        assertThat(EventFlags.start(options(List.of(), Map.of("RLIMIT_INJECTOR_EVENTS", "false")), metrics, noClient))
                .isEmpty();
    }

    @Test
    void onWithTheFlagOrTheVariable() {
        for (Options options : List.of(options(List.of("--events"), Map.of()),
                options(List.of(), Map.of("RLIMIT_INJECTOR_EVENTS", "true")))) {
            try (KubernetesConnection kubernetes = new KubernetesConnection()) {
                Optional<AdmissionEvents> events = EventFlags.start(options, metrics, kubernetes);
                assertThat(events).isPresent();
                events.get().close();
            }
        }
    }

    @Test
    void serveListsTheFlag() {
        assertThat(ServeCommand.SWITCHES).containsAll(EventFlags.SWITCHES).containsAll(RegistryFlags.SWITCHES);
        assertThat(ServeCommand.USAGE).contains("--events");
    }

    private static Options options(List<String> args, Map<String, String> env) {
        return Options.parse(args, ServeCommand.FLAGS, ServeCommand.SWITCHES, env);
    }
}
