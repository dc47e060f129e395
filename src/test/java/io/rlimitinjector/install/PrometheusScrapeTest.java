package io.rlimitinjector.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.testing.Eventually;
import io.rlimitinjector.testing.LocalRegistry;
import io.rlimitinjector.testing.TestWebhook;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A real Prometheus (Debian's package) on loopback scrapes a webhook started here and evaluates the chart's rules:
 * the certificate alert becomes active when its threshold exceeds the test certificate's life (one hour), the down
 * alert when the webhook stops. The rules run with their expressions as shipped and without their {@code for}, so
 * each fires at once instead of after 5 or 15 minutes; promtool's unit tests check the waits.
 */
class PrometheusScrapeTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path directory;

    @Test
    void certificateAndDownAlertsBecomeActiveOnALiveWebhook() throws Exception {
        Path binary = Monitoring.tool("prometheus");
        Files.writeString(directory.resolve("rules.yaml"),
                firingAtOnce(Monitoring.ruleFile(Map.of("metrics.prometheusRule.certificateExpiryDays", 1))));
        TestWebhook webhook = TestWebhook.start(Files.createDirectory(directory.resolve("certificates")),
                new PodMutator(InjectionSettings.defaults()), EntrypointResolver.NONE);
        Process prometheus = null;
        try {
            String target = webhook.metricsBase().getAuthority();
            // Labelled as a ServiceMonitor would: job is the Service's name, namespace the release's.
            Files.writeString(directory.resolve("prometheus.yml"), """
                    global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
                    rule_files: [rules.yaml]
                    scrape_configs:
                      - job_name: %s
                        static_configs:
                          - targets: ['%s']
                            labels: {namespace: %s}
                    """.formatted(Charts.RELEASE, target, Charts.NAMESPACE));
            URI api = URI.create("http://127.0.0.1:" + LocalRegistry.freePort());
            prometheus = new ProcessBuilder(binary.toString(),
                    "--config.file=" + directory.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + directory.resolve("data"),
                    "--web.listen-address=" + api.getAuthority())
                    .redirectErrorStream(true).redirectOutput(directory.resolve("prometheus.log").toFile()).start();
            Process started = prometheus;
            Runtime.getRuntime().addShutdownHook(new Thread(started::destroy));

            Eventually.until("the certificate alert, firing", WAIT,
                    () -> alert(api, "RlimitInjectorCertificateExpiresSoon").filter(alert -> target.equals(
                            alert.at("/labels/instance").asString())).isPresent());
            JsonNode certificate = alert(api, "RlimitInjectorCertificateExpiresSoon").orElseThrow();
            assertThat(certificate.get("state").asString()).isEqualTo("firing");
            assertThat(certificate.at("/labels/severity").asString()).isEqualTo("warning");
            // Under the hour the test certificate lives, and above zero.
            assertThat(Double.parseDouble(certificate.get("value").asString())).isBetween(3000.0, 3600.0);
            assertThat(alert(api, "RlimitInjectorDown")).as("the webhook answers its scrapes").isEmpty();

            webhook.close();
            webhook = null;
            Eventually.until("the down alert, firing", WAIT, () -> alert(api, "RlimitInjectorDown").isPresent());
            JsonNode down = alert(api, "RlimitInjectorDown").orElseThrow();
            assertThat(down.get("state").asString()).isEqualTo("firing");
            assertThat(down.at("/labels/instance").asString()).isEqualTo(target);
            assertThat(down.at("/labels/job").asString()).isEqualTo(Charts.RELEASE);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nprometheus log:\n"
                    + Files.readString(directory.resolve("prometheus.log")), e);
        } finally {
            if (webhook != null) {
                webhook.close();
            }
            if (prometheus != null) {
                prometheus.destroy();
                prometheus.waitFor();
            }
        }
    }

    /** The rule file with no rule's {@code for}: an alert whose expression holds then fires at the next evaluation. */
    private static String firingAtOnce(String ruleFile) {
        JsonNode rules = Json.YAML.readTree(ruleFile);
        rules.get("groups").forEach(group -> group.get("rules").forEach(rule -> ((ObjectNode) rule).remove("for")));
        return Json.YAML.writeValueAsString(rules);
    }

    /** The active alert of that name in GET /api/v1/alerts, if any; none while Prometheus is not up and ready yet. */
    private Optional<JsonNode> alert(URI api, String name) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(api.resolve("/api/v1/alerts")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return Optional.empty();
            }
            for (JsonNode alert : Json.MAPPER.readTree(response.body()).at("/data/alerts")) {
                if (name.equals(alert.at("/labels/alertname").asString())) {
                    return Optional.of(alert);
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
