package io.rlimitinjector.install;

import static io.rlimitinjector.install.ChartTest.container;
import static io.rlimitinjector.install.ManifestChecks.of;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The values that shape the webhook's pod and its flags: registries, extra flags, host network, replicas. */
class ChartPodValuesTest {

    @Test
    void registrySettingsAreAbsentByDefault() {
        assertThat(container(Charts.render(Map.of())).getArgs()).noneMatch(arg -> arg.startsWith("--registry-")
                || arg.startsWith("--insecure-") || arg.startsWith("--private-") || arg.equals("--no-registry"));
        assertThat(pod(Map.of()).getVolumes()).extracting(Volume::getName).doesNotContain("registry-ca");
    }

    @Test
    void registrySettingsReachTheirFlags() {
        Container webhook = container(Charts.render(Map.of("registry.mirrors.docker\\.io", "mirror.example:5000",
                "registry.mirrors.quay\\.io", "quay-mirror.example", "registry.insecureRegistries[0]", "http://r.local:5000",
                "registry.insecureRegistries[1]", "r2.local", "registry.privateRegistries[0]", "registry.svc:5000")));
        assertThat(webhook.getArgs()).contains("--registry-mirrors=docker.io=mirror.example:5000,quay.io=quay-mirror.example",
                "--insecure-registries=http://r.local:5000,r2.local", "--private-registries=registry.svc:5000");
        assertThat(container(Charts.render(Map.of("registry.lookups", false))).getArgs()).contains("--no-registry");
    }

    /** The bundle is mounted whole, read-only, and the flag names the key's file in it. */
    @Test
    void registryCaComesFromAConfigMapOrASecret() {
        Map<String, Object> fromConfigMap = Map.of("registry.ca.configMap", "corp-cas");
        assertThat(container(Charts.render(fromConfigMap)).getArgs())
                .contains("--registry-ca-file=/etc/rlimit-injector/registry-ca/ca.crt");
        assertThat(registryCaMount(fromConfigMap).getReadOnly()).isTrue();
        assertThat(registryCaMount(fromConfigMap).getSubPath()).isNull();
        Volume configMap = registryCaVolume(fromConfigMap);
        assertThat(configMap.getConfigMap().getName()).isEqualTo("corp-cas");
        assertThat(configMap.getConfigMap().getItems()).singleElement()
                .satisfies(item -> assertThat(item.getKey()).isEqualTo("ca.crt"));

        Map<String, Object> fromSecret = Map.of("registry.ca.secret", "corp-cas", "registry.ca.key", "bundle.pem");
        assertThat(container(Charts.render(fromSecret)).getArgs())
                .contains("--registry-ca-file=/etc/rlimit-injector/registry-ca/bundle.pem");
        Volume secret = registryCaVolume(fromSecret);
        assertThat(secret.getConfigMap()).isNull();
        assertThat(secret.getSecret().getSecretName()).isEqualTo("corp-cas");
        assertThat(secret.getSecret().getItems()).singleElement()
                .satisfies(item -> assertThat(item.getPath()).isEqualTo("bundle.pem"));
        // The Secret is mounted by the kubelet: the webhook gets no right to read Secrets for it.
        assertThat(of(Charts.render(fromSecret), ClusterRole.class)).allSatisfy(role -> assertThat(role.getRules())
                .noneMatch(rule -> rule.getResources().contains("secrets")));
    }

    /** After the chart's own, so a flag given again overrides the chart's (the last value counts). */
    @Test
    void extraArgsComeLastAndExtraEnvAfterTheChartsVariables() {
        Container webhook = container(Charts.render(Map.of("extraArgs[0]", "--default-ratio=0.5",
                "extraArgs[1]", "--registry-timeout-ms=1500", "extraEnv[0].name", "RLIMIT_INJECTOR_REGISTRY_CACHE_SIZE",
                "extraEnv[0].value", "5000", "extraEnv[1].name", "NODE",
                "extraEnv[1].valueFrom.fieldRef.fieldPath", "spec.nodeName")));
        List<String> args = webhook.getArgs();
        assertThat(args.subList(args.size() - 2, args.size()))
                .containsExactly("--default-ratio=0.5", "--registry-timeout-ms=1500");
        assertThat(args).contains("--default-ratio=1");
        assertThat(webhook.getEnv()).extracting(EnvVar::getName)
                .containsExactly("JAVA_TOOL_OPTIONS", "RLIMIT_INJECTOR_LAUNCHER_IMAGE", "RLIMIT_INJECTOR_NAMESPACE",
                        "RLIMIT_INJECTOR_REGISTRY_CACHE_SIZE", "NODE");
        assertThat(webhook.getEnv().get(3).getValue()).isEqualTo("5000");
        assertThat(webhook.getEnv().get(4).getValueFrom().getFieldRef().getFieldPath()).isEqualTo("spec.nodeName");
    }

    @Test
    void theDefaultsStayOffTheHostNetwork() {
        Deployment deployment = of(Charts.render(Map.of()), Deployment.class).get(0);
        assertThat(deployment.getSpec().getTemplate().getSpec().getHostNetwork()).isNull();
        assertThat(deployment.getSpec().getTemplate().getSpec().getDnsPolicy()).isNull();
        assertThat(deployment.getSpec().getStrategy()).isNull();
    }

    /** The ports move together: the flags, the named container ports the probes and the Service use. */
    @Test
    void hostNetworkWithOtherPortsKeepsClusterDnsAndReplacesOnePodAtATime() {
        Map<String, Object> values = Map.of("hostNetwork", true, "containerPorts.https", 10250,
                "containerPorts.metrics", 10251);
        Deployment deployment = of(Charts.render(values), Deployment.class).get(0);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getHostNetwork()).isTrue();
        assertThat(pod.getDnsPolicy()).isEqualTo("ClusterFirstWithHostNet");
        ManifestChecks.restrictedApartFromHostNetwork(pod);
        Container webhook = pod.getContainers().get(0);
        assertThat(webhook.getArgs()).contains("--port=10250", "--metrics-port=10251");
        assertThat(webhook.getPorts()).extracting(port -> port.getName() + ":" + port.getContainerPort())
                .containsExactly("https:10250", "metrics:10251");
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxSurge().getIntVal()).isZero();
        assertThat(deployment.getSpec().getStrategy().getRollingUpdate().getMaxUnavailable().getIntVal()).isEqualTo(1);
    }

    @Test
    void thePortsMustDiffer() {
        assertThatThrownBy(() -> Charts.template(Map.of("containerPorts.metrics", 8443)))
                .hasMessageContaining("containerPorts.https and containerPorts.metrics must differ");
    }

    /** A budget of minAvailable 1 over a single pod would block every node drain. */
    @Test
    void aDisruptionBudgetOnlyWhenTwoReplicasCanBeUp() {
        assertThat(budgets(Map.of())).hasSize(1);
        assertThat(budgets(Map.of("replicaCount", 1))).isEmpty();
        assertThat(budgets(Map.of("replicaCount", 3))).hasSize(1);
        assertThat(budgets(Map.of("replicaCount", 1, "autoscaling.enabled", true))).hasSize(1);
        assertThat(budgets(Map.of("autoscaling.enabled", true, "autoscaling.minReplicas", 1))).isEmpty();
        assertThat(budgets(Map.of("replicaCount", 3, "podDisruptionBudget.enabled", false))).isEmpty();
    }

    @Test
    void noAutoscalerByDefault() {
        List<HasMetadata> objects = Charts.render(Map.of());
        assertThat(of(objects, HorizontalPodAutoscaler.class)).isEmpty();
        assertThat(of(objects, Deployment.class).get(0).getSpec().getReplicas()).isEqualTo(2);
    }

    /** The Deployment then has no replicas of its own, or every helm upgrade would reset what the autoscaler set. */
    @Test
    void theAutoscalerTakesOverTheReplicas() {
        List<HasMetadata> objects = Charts.render(Map.of("autoscaling.enabled", true, "autoscaling.minReplicas", 3,
                "autoscaling.maxReplicas", 8, "autoscaling.targetMemoryUtilizationPercentage", 90));
        Deployment deployment = of(objects, Deployment.class).get(0);
        assertThat(deployment.getSpec().getReplicas()).isNull();
        HorizontalPodAutoscaler autoscaler = of(objects, HorizontalPodAutoscaler.class).get(0);
        assertThat(autoscaler.getApiVersion()).isEqualTo("autoscaling/v2");
        assertThat(autoscaler.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
        assertThat(autoscaler.getSpec().getScaleTargetRef().getName()).isEqualTo(deployment.getMetadata().getName());
        assertThat(autoscaler.getSpec().getMinReplicas()).isEqualTo(3);
        assertThat(autoscaler.getSpec().getMaxReplicas()).isEqualTo(8);
        assertThat(autoscaler.getSpec().getMetrics()).extracting(ChartPodValuesTest::utilization)
                .containsExactly("cpu 80", "memory 90");
        List<HasMetadata> memoryOnly = Charts.render(Map.of("autoscaling.enabled", true,
                "autoscaling.targetCPUUtilizationPercentage", 0, "autoscaling.targetMemoryUtilizationPercentage", 75));
        assertThat(of(memoryOnly, HorizontalPodAutoscaler.class).get(0).getSpec().getMetrics())
                .extracting(ChartPodValuesTest::utilization).containsExactly("memory 75");
    }

    @Test
    void theAutoscalerMinimumMustNotExceedItsMaximum() {
        assertThatThrownBy(() -> Charts.template(Map.of("autoscaling.enabled", true, "autoscaling.minReplicas", 6)))
                .hasMessageContaining("autoscaling.minReplicas must not exceed autoscaling.maxReplicas");
    }

    /** A parent chart's global values reach every subchart's values, so the schema must let them through. */
    @Test
    void rendersAsASubchartWithGlobalValues(@TempDir Path parent) throws IOException {
        Files.writeString(parent.resolve("Chart.yaml"), """
                apiVersion: v2
                name: platform
                version: 1.0.0
                """);
        Files.writeString(parent.resolve("values.yaml"), """
                global:
                  imageRegistry: registry.example
                  labels: {team: platform}
                rlimit-injector:
                  replicaCount: 3
                """);
        copy(Charts.CHART, parent.resolve("charts/rlimit-injector"));
        String yaml = new Helm(parent).template().withName("platform").withNamespace(Charts.NAMESPACE)
                .withKubeVersion(Charts.KUBE_VERSION).call();
        Deployment deployment = of(Charts.parse(yaml), Deployment.class).get(0);
        assertThat(deployment.getMetadata().getName()).isEqualTo("platform-rlimit-injector");
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
    }

    private static String utilization(MetricSpec metric) {
        return metric.getResource().getName() + " " + metric.getResource().getTarget().getAverageUtilization();
    }

    private static List<PodDisruptionBudget> budgets(Map<String, Object> values) {
        return of(Charts.render(values), PodDisruptionBudget.class);
    }

    private static PodSpec pod(Map<String, Object> values) {
        return of(Charts.render(values), Deployment.class).get(0).getSpec().getTemplate().getSpec();
    }

    private static Volume registryCaVolume(Map<String, Object> values) {
        return pod(values).getVolumes().stream().filter(volume -> volume.getName().equals("registry-ca")).findFirst()
                .orElseThrow();
    }

    private static VolumeMount registryCaMount(Map<String, Object> values) {
        return pod(values).getContainers().get(0).getVolumeMounts().stream()
                .filter(mount -> mount.getName().equals("registry-ca")).findFirst().orElseThrow();
    }
}
