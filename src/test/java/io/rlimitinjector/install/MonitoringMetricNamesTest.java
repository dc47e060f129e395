package io.rlimitinjector.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.testing.Reviews;
import io.rlimitinjector.testing.TestTls;
import io.rlimitinjector.testing.TestWebhook;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every metric the alerts and the dashboard query is one the webhook serves, or one named here as another's. */
class MonitoringMetricNamesTest {
    /** From the API server and kube-state-metrics; Prometheus itself adds up. */
    static final Set<String> FROM_OTHER_COMPONENTS = Set.of(
            "up",
            "apiserver_admission_webhook_request_total",
            "apiserver_admission_webhook_fail_open_count",
            "apiserver_admission_webhook_rejection_count",
            "kube_deployment_status_replicas_available",
            "kube_namespace_labels",
            "kube_pod_container_status_last_terminated_reason",
            "kube_pod_container_status_restarts_total",
            "kube_pod_container_resource_limits");

    @TempDir
    Path directory;

    @Test
    void everyQueriedMetricIsServedOrComesFromAnotherComponent() throws Exception {
        List<String> queries = new ArrayList<>(Monitoring.expressions(Monitoring.ruleFile(Map.of())));
        queries.addAll(Monitoring.dashboardQueries());
        Set<String> named = Monitoring.metricNames(queries);
        // The parser finds names at all: the alerts' and the dashboard's own.
        assertThat(named).contains("rlimit_injector_certificate_expiry_timestamp_seconds",
                "rlimit_injector_admission_duration_seconds_bucket", "process_resident_memory_bytes",
                "kube_namespace_labels");
        Set<String> ours = named.stream().filter(name -> !FROM_OTHER_COMPONENTS.contains(name))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(named).as("every other component's metric listed is still queried")
                .containsAll(FROM_OTHER_COMPONENTS);
        assertThat(ours).allSatisfy(name -> assertThat(name).matches("(rlimit_injector|process|jvm)_\\w+"));

        try (TestWebhook webhook = TestWebhook.start(directory,
                new PodMutator(InjectionSettings.defaults()), EntrypointResolver.NONE)) {
            // A pod with one container wrapped and one skipped (no memory limit): the per-label counters appear.
            HttpClient client = HttpClient.newBuilder().sslContext(TestTls.trusting(webhook.ca().certificate()))
                    .build();
            HttpResponse<String> admitted = client.send(HttpRequest.newBuilder(webhook.mutateUrl())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(
                            Reviews.podCreate("uid-metrics", "shop", Reviews.pod(Reviews.PYTHON_POD))))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(admitted.statusCode()).isEqualTo(200);
            // Conditional in serve: the registry metrics count lookups (with registry lookups on), the pullable
            // gauge exists with the launcher image check on. Fed here as the resolver and the check feed them.
            webhook.server().metrics().fetched(true);
            webhook.server().metrics().cacheHit();
            webhook.server().metrics().watchLauncherImage(() -> true);

            String exposition = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(webhook.metricsBase().resolve("/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Set<String> served = exposition.lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                    .map(line -> line.split("[{ ]", 2)[0]).collect(Collectors.toCollection(TreeSet::new));
            assertThat(served).as("metrics served by the webhook").containsAll(ours);
            // docs/metrics.md names each of the webhook's own metrics (a histogram by its base name).
            String reference = Files.readString(Charts.PROJECT.resolve("docs/metrics.md"));
            assertThat(served).filteredOn(name -> name.startsWith("rlimit_injector_"))
                    .extracting(name -> name.replaceAll("_(bucket|count|sum|created)$", ""))
                    .allSatisfy(name -> assertThat(reference).contains("`" + name + "`"));
        }
    }
}
