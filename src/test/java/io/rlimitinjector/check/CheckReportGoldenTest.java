package io.rlimitinjector.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlimitinjector.json.Json;
import io.rlimitinjector.testing.Golden;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Each {@code check/cases/NAME.yaml} is what the check read of a cluster ({@link ClusterView}); without
 * {@code webhooks}, the chart's webhook, ready and trusted ({@code check/webhook.yaml}). The report is compared with
 * {@code NAME.txt} and {@code NAME.json}; {@code UPDATE_GOLDEN=1} rewrites them.
 */
class CheckReportGoldenTest {
    private static final Path DIRECTORY = Path.of("src/test/resources/check");
    private static final Path CASES = DIRECTORY.resolve("cases");

    static Stream<String> cases() throws IOException {
        try (Stream<Path> files = Files.list(CASES)) {
            return files.map(path -> path.getFileName().toString())
                    .filter(name -> name.endsWith(".yaml"))
                    .map(name -> name.substring(0, name.length() - ".yaml".length()))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void reportMatchesItsGoldenFiles(String name) throws IOException {
        CheckReport report = new Checker(Golden.mutator(), Golden.RESOLVER).check(view(name));
        compare(CASES.resolve(name + ".txt"), ReportFormat.text(report));
        compare(CASES.resolve(name + ".json"), ReportFormat.json(report));
        assertThat(Json.MAPPER.readTree(ReportFormat.json(report)).path("exitCode").asInt()).isEqualTo(report.exitCode());
    }

    static ClusterView view(String name) throws IOException {
        JsonNode input = Json.YAML.readTree(Files.readString(CASES.resolve(name + ".yaml")));
        if (!input.has("webhooks")) {
            ((ObjectNode) input).set("webhooks", Json.MAPPER.createArrayNode()
                    .add(Json.YAML.readTree(Files.readString(DIRECTORY.resolve("webhook.yaml")))));
        }
        return Json.MAPPER.treeToValue(input, ClusterView.class);
    }

    private static void compare(Path expected, String actual) throws IOException {
        if (System.getenv("UPDATE_GOLDEN") != null) {
            Files.writeString(expected, actual, StandardCharsets.UTF_8);
        }
        assertThat(actual).isEqualTo(Files.readString(expected, StandardCharsets.UTF_8));
    }

}
