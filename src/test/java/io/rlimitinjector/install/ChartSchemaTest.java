package io.rlimitinjector.install;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad values fail at install time, naming the value, instead of rendering a broken webhook. */
class ChartSchemaTest {

    static Stream<Arguments> invalidValues() {
        return Stream.of(
                Arguments.of(Map.of("webhook.failurePolicy", "Sometimes"), "failurePolicy"),
                Arguments.of(Map.of("webhook.timeoutSeconds", 60), "timeoutSeconds"),
                Arguments.of(Map.of("webhook.namespaceSelection", "all"), "namespaceSelection"),
                // An outage would then block pods in every namespace, those that bring the cluster back included.
                Arguments.of(Map.of("webhook.failurePolicy", "Fail", "webhook.namespaceSelection", "optOut"),
                        "namespaceSelection"),
                Arguments.of(Map.of("certificates.mode", "vault"), "mode"),
                Arguments.of(Map.of("certificates.mode", "secret"), "name"),
                Arguments.of(Map.of("injection.defaultMode", "stack"), "defaultMode"),
                Arguments.of(Map.of("injection.defaultRatio", 1.5), "defaultRatio"),
                Arguments.of(Map.of("injection.defaultRatio", 0), "defaultRatio"),
                Arguments.of(Map.of("launcherImage.digest", "latest"), "digest"),
                Arguments.of(Map.of("launcherImage.pullPolicy", "Sometimes"), "pullPolicy"),
                Arguments.of(Map.of("launcherImage.pullSecrets[0].name", "Launcher_Pull"), "name"),
                Arguments.of(Map.of("launcherImage.check.enabled", "yes"), "enabled"),
                Arguments.of(Map.of("launcherImage.check.periodSeconds", 0), "periodSeconds"),
                Arguments.of(Map.of("injection.delivery", "imagevolume"), "delivery"),
                Arguments.of(Map.of("replicaCount", 0), "replicaCount"),
                Arguments.of(Map.of("events.enabled", "yes"), "enabled"),
                // Both act on the namespace a request names: without client auth, anyone reaching the port could
                // name any namespace.
                Arguments.of(Map.of("registry.readPullSecrets", true), "clientAuth"),
                Arguments.of(Map.of("events.enabled", true), "clientAuth"),
                Arguments.of(Map.of("registry.readPullSecrets", true, "clientAuth.enabled", false), "clientAuth"),
                Arguments.of(Map.of("clientAuth.enabled", true), "clientAuth"),
                Arguments.of(Map.of("metrics.serviceMonitor.tlsConfig.insecureSkipVerify", true), "tlsConfig"),
                Arguments.of(Map.of("networkPolicy.webhook.from", "anywhere"), "from"),
                Arguments.of(Map.of("metrics.prometheusRule.certificateExpiryDays", 0), "certificateExpiryDays"),
                Arguments.of(Map.of("metrics.prometheusRule.runbookUrl", "docs/metrics.md"), "runbookUrl"),
                Arguments.of(Map.of("metrics.prometheusRule.additionalAlertLabels.page", true), "page"),
                Arguments.of(Map.of("metrics.grafanaDashboard.label", ""), "label"),
                Arguments.of(Map.of("metrics.grafanaDashboard.folder", "Platform"), "folder"),
                Arguments.of(Map.of("webhook.excludedNamespaces[0]", "Not_A_Namespace"), "excludedNamespaces"),
                Arguments.of(Map.of("webhok.failurePolicy", "Fail"), "webhok"),
                Arguments.of(Map.of("registry.lookups", "no"), "lookups"),
                Arguments.of(Map.of("registry.mirrors.docker\\.io", ""), "docker.io"),
                Arguments.of(Map.of("registry.mirrors", "docker.io=mirror.example"), "mirrors"),
                // One flag value: a comma would split the host in two.
                Arguments.of(Map.of("registry.insecureRegistries[0]", "a.local,b.local"), "insecureRegistries"),
                Arguments.of(Map.of("registry.privateRegistries", "registry.svc"), "privateRegistries"),
                Arguments.of(Map.of("registry.ca.configMap", "cas", "registry.ca.secret", "cas"), "ca"),
                Arguments.of(Map.of("registry.ca.key", "../ca.crt"), "key"),
                // The pull secrets serve only the lookups: reading them without would be a right for nothing.
                Arguments.of(Map.of("registry.lookups", false, "registry.readPullSecrets", true,
                        "clientAuth.enabled", true, "clientAuth.caBundle", ChartTest.CLIENT_CA), "lookups"),
                Arguments.of(Map.of("extraArgs", "--events"), "extraArgs"),
                Arguments.of(Map.of("extraArgs[0]", "events"), "extraArgs"),
                Arguments.of(Map.of("extraEnv[0].value", "x"), "name"),
                Arguments.of(Map.of("hostNetwork", "yes"), "hostNetwork"),
                // The webhook runs as non-root without capabilities: it cannot bind a port below 1024.
                Arguments.of(Map.of("containerPorts.https", 443), "https"),
                Arguments.of(Map.of("containerPorts.metrics", 70000), "metrics"),
                Arguments.of(Map.of("containerPorts.webhook", 9443), "webhook"),
                Arguments.of(Map.of("autoscaling.enabled", "yes"), "enabled"),
                Arguments.of(Map.of("autoscaling.minReplicas", 0), "minReplicas"),
                Arguments.of(Map.of("autoscaling.enabled", true, "autoscaling.targetCPUUtilizationPercentage", 0),
                        "autoscaling"),
                Arguments.of(Map.of("autoscaling.targetCPUUtilizationPercentage", "80%"),
                        "targetCPUUtilizationPercentage"),
                Arguments.of(Map.of("global", "shared"), "global"));
    }

    @ParameterizedTest
    @MethodSource("invalidValues")
    void rejected(Map<String, Object> values, String named) {
        assertThatThrownBy(() -> Charts.template(values))
                .hasMessageContaining("values don't meet the specifications of the schema")
                .hasMessageContaining(named);
    }
}
