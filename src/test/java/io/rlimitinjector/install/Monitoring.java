package io.rlimitinjector.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.testing.Requirements;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/** The alerts and the dashboard as the chart ships them, and the Prometheus tools that check them. */
final class Monitoring {
    /** Metric names in PromQL: an identifier not followed by "(" (a function) and not a label name or keyword. */
    private static final Pattern METRIC = Pattern.compile("\\b(rlimit_injector_\\w+|process_\\w+|jvm_\\w+|up"
            + "|apiserver_\\w+|kube_\\w+)\\b(?!\\s*\\()");

    private Monitoring() {
    }

    /** The rule groups of the chart's PrometheusRule, rendered with these values, as a Prometheus rule file. */
    static String ruleFile(Map<String, Object> values) {
        Map<String, Object> all = new HashMap<>(values);
        all.put("metrics.prometheusRule.enabled", true);
        List<GenericKubernetesResource> rules = ManifestChecks.of(Charts.render(all), GenericKubernetesResource.class)
                .stream().filter(resource -> resource.getKind().equals("PrometheusRule")).toList();
        assertThat(rules).hasSize(1);
        Map<?, ?> spec = (Map<?, ?>) rules.get(0).getAdditionalProperties().get("spec");
        return Json.YAML.writeValueAsString(Map.of("groups", spec.get("groups")));
    }

    /** Every alert's expression in a rule file. */
    static List<String> expressions(String ruleFile) {
        List<String> expressions = new ArrayList<>();
        for (JsonNode group : Json.YAML.readTree(ruleFile).get("groups")) {
            group.get("rules").forEach(rule -> expressions.add(rule.get("expr").asString()));
        }
        return expressions;
    }

    /** The dashboard JSON from the chart's ConfigMap. */
    static JsonNode dashboard() {
        List<HasMetadata> objects = Charts.render(Map.of("metrics.grafanaDashboard.enabled", true));
        ConfigMap configMap = ManifestChecks.of(objects, ConfigMap.class).stream().filter(Monitoring::isDashboard)
                .findFirst().orElseThrow();
        return Json.MAPPER.readTree(configMap.getData().get("rlimit-injector.json"));
    }

    static boolean isDashboard(ConfigMap configMap) {
        return configMap.getData() != null && configMap.getData().containsKey("rlimit-injector.json");
    }

    /** Every panel query of the dashboard. */
    static List<String> dashboardQueries() {
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard().get("panels")) {
            panel.get("targets").forEach(target -> queries.add(target.get("expr").asString()));
        }
        return queries;
    }

    static Set<String> metricNames(List<String> expressions) {
        Set<String> names = new TreeSet<>();
        for (String expression : expressions) {
            // Label values and matchers ("...") name no metric.
            Matcher matcher = METRIC.matcher(expression.replaceAll("\"[^\"]*\"", "\"\""));
            while (matcher.find()) {
                names.add(matcher.group(1));
            }
        }
        return names;
    }

    /** Runs a tool to its end in {@code directory}; its exit code and what it printed. */
    static Result run(Path directory, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Result(process.waitFor(), output);
    }

    record Result(int exitCode, String output) {
    }

    /** Debian's prometheus package's binaries; missing, the test skips (fails with RLIMIT_INJECTOR_NO_SKIP=1). */
    static Path tool(String name) {
        Path path = Path.of("/usr/bin", name);
        Requirements.require(Files.isExecutable(path), name + " (apt-get install prometheus; hack/test.sh does)");
        return path;
    }
}
