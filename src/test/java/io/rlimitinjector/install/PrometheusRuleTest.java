package io.rlimitinjector.install;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart's alerts, as it renders them, checked and unit-tested by promtool (prometheusrule-test.yaml). */
class PrometheusRuleTest {
    @TempDir
    Path directory;

    @Test
    void promtoolAcceptsTheRules() throws Exception {
        Path promtool = Monitoring.tool("promtool");
        Files.writeString(directory.resolve("rules.yaml"), Monitoring.ruleFile(Map.of()));
        Monitoring.Result result = Monitoring.run(directory, promtool.toString(), "check", "rules", "rules.yaml");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS: 8 rules found");
    }

    @Test
    void eachAlertFiresOnItsSeriesAndNotOnNearMisses() throws Exception {
        Path promtool = Monitoring.tool("promtool");
        Files.writeString(directory.resolve("rules.yaml"),
                Monitoring.ruleFile(Map.of("metrics.prometheusRule.additionalAlertLabels.team", "platform")));
        try (InputStream tests = getClass().getResourceAsStream("prometheusrule-test.yaml")) {
            Files.copy(tests, directory.resolve("tests.yaml"), StandardCopyOption.REPLACE_EXISTING);
        }
        Monitoring.Result result = Monitoring.run(directory, promtool.toString(), "test", "rules", "tests.yaml");
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }
}
