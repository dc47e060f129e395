package io.rlimitinjector.install;

import static io.rlimitinjector.install.ManifestChecks.of;
import static io.rlimitinjector.install.ManifestChecks.requirement;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The chart rendered for every combination of values that changes its shape, checked object by object. */
class ChartTest {
    /** A client CA as a user pastes it: the features acting on a request's namespace require client auth. */
    static final String CLIENT_CA = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
    static final Map<String, Object> CLIENT_AUTH = Map.of("clientAuth.enabled", true, "clientAuth.caBundle", CLIENT_CA);

    static Stream<Map<String, Object>> combinations() {
        return Stream.of(
                Map.of(),
                Map.of("webhook.failurePolicy", "Fail"),
                Map.of("webhook.namespaceSelection", "optOut"),
                Map.of("metrics.serviceMonitor.enabled", true),
                Map.of("certificates.mode", "cert-manager"),
                Map.of("certificates.mode", "cert-manager", "certificates.certManager.issuerRef.name", "corp-ca",
                        "certificates.certManager.issuerRef.kind", "ClusterIssuer"),
                Map.of("certificates.mode", "secret", "certificates.secret.name", "my-tls"),
                with(CLIENT_AUTH, "registry.readPullSecrets", true),
                with(CLIENT_AUTH, "events.enabled", true),
                Map.of("clientAuth.enabled", true, "clientAuth.caConfigMap", "apiserver-client-ca",
                        "clientAuth.allowedNames[0]", "kube-apiserver"),
                Map.of("networkPolicy.enabled", true, "networkPolicy.webhook.from[0].ipBlock.cidr", "10.0.0.0/24",
                        "networkPolicy.metrics.from[0].namespaceSelector.matchLabels.team", "monitoring"),
                Map.of("injection.delivery", "imageVolume", "launcherImage.pullPolicy", "Always"),
                with(with(CLIENT_AUTH, "events.enabled", true), "certificates.mode", "cert-manager"),
                Map.of("launcherImage.pullSecrets[0].name", "launcher-pull", "launcherImage.check.periodSeconds", 60),
                Map.of("metrics.serviceMonitor.enabled", true, "metrics.prometheusRule.enabled", true,
                        "metrics.prometheusRule.labels.release", "kube-prometheus-stack"),
                Map.of("metrics.grafanaDashboard.enabled", true),
                Map.of("registry.mirrors.docker\\.io", "mirror.example", "registry.insecureRegistries[0]", "r.local",
                        "registry.privateRegistries[0]", "registry.svc:5000", "registry.ca.secret", "registry-cas"),
                Map.of("registry.lookups", false, "extraArgs[0]", "--registry-timeout-ms=1500",
                        "extraEnv[0].name", "RLIMIT_INJECTOR_REGISTRY_CACHE_SIZE", "extraEnv[0].value", "5000"),
                Map.of("autoscaling.enabled", true, "containerPorts.https", 9443, "containerPorts.metrics", 9080),
                Map.of("replicaCount", 1),
                Map.of("certificates.mode", "cert-manager", "webhook.failurePolicy", "Fail",
                        "metrics.serviceMonitor.enabled", true,
                        "podDisruptionBudget.enabled", false, "priorityClassName", "system-cluster-critical"));
    }

    @Test
    void lintsClean() {
        LintResult lint = new Helm(Charts.CHART).lint().strict().call();
        assertThat(lint.isFailed()).as("%s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).allSatisfy(message -> assertThat(message).startsWith("[INFO]"));
    }

    @ParameterizedTest
    @MethodSource("combinations")
    void everyCombinationPassesOurChecks(Map<String, Object> values) {
        ManifestChecks.check(Charts.render(values), Charts.NAMESPACE);
    }

    @Test
    void defaultsRenderTwoSpreadReplicasWithABudgetAndJvmFlagsForTheLimit() {
        List<HasMetadata> objects = Charts.render(Map.of());
        Deployment deployment = of(objects, Deployment.class).get(0);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
        var pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getTopologySpreadConstraints()).singleElement().satisfies(spread -> {
            assertThat(spread.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
            assertThat(spread.getLabelSelector().getMatchLabels())
                    .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        });
        Container webhook = pod.getContainers().get(0);
        assertThat(webhook.getResources().getLimits().get("memory").toString()).isEqualTo("384Mi");
        assertThat(env(webhook, "JAVA_TOOL_OPTIONS")).contains("-XX:MaxRAMPercentage=35", "-XX:MinRAMPercentage=35",
                "-XX:+ExitOnOutOfMemoryError", "-XX:+UseSerialGC", "-Xss512k");
        assertThat(env(webhook, "RLIMIT_INJECTOR_LAUNCHER_IMAGE")).isEqualTo("ghcr.io/rlimit-injector/launcher:0.1.0");
        assertThat(webhook.getArgs()).startsWith("serve").contains("--launcher-pull-policy=IfNotPresent",
                "--delivery=initContainer", "--default-mode=auto", "--default-ratio=1");
        assertThat(webhook.getArgs()).noneMatch(argument -> argument.startsWith("--install-"));
        assertThat(of(objects, PodDisruptionBudget.class)).singleElement()
                .satisfies(pdb -> assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isEqualTo(1));
        assertThat(of(objects, Service.class)).singleElement()
                .satisfies(service -> assertThat(service.getSpec().getPorts().get(0).getPort()).isEqualTo(443));
        assertThat(pod.getPriorityClassName()).isNull();
    }

    @Test
    void defaultsOptInNamespacesAndIgnoreFailures() {
        MutatingWebhook webhook = webhook(Map.of());
        assertThat(webhook.getFailurePolicy()).isEqualTo("Ignore");
        assertThat(webhook.getTimeoutSeconds()).isEqualTo(5);
        assertThat(webhook.getNamespaceSelector().getMatchExpressions()).containsExactly(
                requirement("rlimit-injector.io/inject", "In", "enabled"),
                requirement("kubernetes.io/metadata.name", "NotIn", "rlimit-injector", "kube-system",
                        "kube-node-lease"));
    }

    @Test
    void optOutInjectsEveryNamespaceNotLabelledDisabled() {
        MutatingWebhook webhook = webhook(Map.of("webhook.namespaceSelection", "optOut",
                "webhook.excludedNamespaces[0]", "monitoring"));
        assertThat(webhook.getNamespaceSelector().getMatchExpressions()).containsExactly(
                requirement("rlimit-injector.io/inject", "NotIn", "disabled"),
                requirement("kubernetes.io/metadata.name", "NotIn", "rlimit-injector", "kube-system",
                        "kube-node-lease", "monitoring"));
    }

    @Test
    void failurePolicyAndTimeoutAreSettings() {
        MutatingWebhook webhook = webhook(Map.of("webhook.failurePolicy", "Fail", "webhook.timeoutSeconds", 3));
        assertThat(webhook.getFailurePolicy()).isEqualTo("Fail");
        assertThat(webhook.getTimeoutSeconds()).isEqualTo(3);
    }

    @Test
    void selfModeGetsTheSecretByNameAndCreateOnlyInItsNamespace() {
        List<HasMetadata> objects = Charts.render(Map.of());
        Role role = of(objects, Role.class).get(0);
        assertThat(role.getRules()).containsExactly(
                rule("", "secrets", List.of("rlimit-injector-tls"), "get", "update"),
                rule("", "secrets", List.of(), "create"));
        assertThat(of(objects, ClusterRole.class)).singleElement().satisfies(clusterRole ->
                assertThat(clusterRole.getRules()).containsExactly(rule("admissionregistration.k8s.io",
                        "mutatingwebhookconfigurations", List.of("rlimit-injector"), "get", "patch")));
        Container webhook = container(objects);
        assertThat(webhook.getArgs()).contains("--self-signed-secret=rlimit-injector-tls",
                "--webhook-configuration=rlimit-injector", "--service=rlimit-injector");
        var tls = of(objects, Deployment.class).get(0).getSpec().getTemplate().getSpec().getVolumes().get(0);
        assertThat(tls.getEmptyDir()).isNotNull();
    }

    @Test
    void certManagerModeRendersCertificateAndIssuersAndNeedsNoRbac() {
        List<HasMetadata> objects = Charts.render(Map.of("certificates.mode", "cert-manager"));
        assertThat(of(objects, MutatingWebhookConfiguration.class).get(0).getMetadata().getAnnotations())
                .containsEntry("cert-manager.io/inject-ca-from", "rlimit-injector/rlimit-injector");
        List<GenericKubernetesResource> certManager = of(objects, GenericKubernetesResource.class);
        assertThat(certManager).extracting(o -> o.getKind() + "/" + o.getMetadata().getName()).containsExactlyInAnyOrder(
                "Issuer/rlimit-injector-selfsigned", "Certificate/rlimit-injector-ca", "Issuer/rlimit-injector-ca",
                "Certificate/rlimit-injector");
        GenericKubernetesResource serving = certManager.stream()
                .filter(o -> o.getMetadata().getName().equals("rlimit-injector")).findFirst().orElseThrow();
        assertThat(serving.<List<String>>get("spec", "dnsNames")).contains("rlimit-injector.rlimit-injector.svc");
        assertThat(serving.<String>get("spec", "secretName")).isEqualTo("rlimit-injector-tls");
        assertThat(of(objects, ClusterRole.class)).isEmpty();
        assertThat(of(objects, Role.class)).isEmpty();
        assertThat(container(objects).getArgs()).noneMatch(arg -> arg.startsWith("--webhook-configuration"));
    }

    @Test
    void certManagerModeUsesAGivenIssuer() {
        List<HasMetadata> objects = Charts.render(Map.of("certificates.mode", "cert-manager",
                "certificates.certManager.issuerRef.name", "corp-ca",
                "certificates.certManager.issuerRef.kind", "ClusterIssuer"));
        List<GenericKubernetesResource> certManager = of(objects, GenericKubernetesResource.class);
        assertThat(certManager).singleElement().satisfies(certificate -> assertThat(
                certificate.<Map<String, Object>>get("spec", "issuerRef"))
                .isEqualTo(Map.of("name", "corp-ca", "kind", "ClusterIssuer")));
    }

    @Test
    void secretModeMountsTheGivenSecretAndPatchesTheBundleFromIt() {
        List<HasMetadata> objects = Charts.render(Map.of("certificates.mode", "secret",
                "certificates.secret.name", "my-tls"));
        var tls = of(objects, Deployment.class).get(0).getSpec().getTemplate().getSpec().getVolumes().get(0);
        assertThat(tls.getSecret().getSecretName()).isEqualTo("my-tls");
        assertThat(container(objects).getArgs()).contains("--ca-bundle-file=/etc/rlimit-injector/tls/ca.crt",
                "--webhook-configuration=rlimit-injector").noneMatch(arg -> arg.startsWith("--self-signed-secret"));
        assertThat(of(objects, Role.class)).isEmpty();
    }

    @Test
    void pullSecretsAreReadOnlyWhenEnabled() {
        assertThat(container(Charts.render(Map.of())).getArgs()).doesNotContain("--read-pull-secrets");
        List<HasMetadata> objects = Charts.render(with(CLIENT_AUTH, "registry.readPullSecrets", true));
        assertThat(container(objects).getArgs()).contains("--read-pull-secrets");
        assertThat(of(objects, ClusterRole.class).get(0).getRules())
                .contains(rule("", List.of("secrets", "serviceaccounts"), List.of(), "get"));
    }

    @Test
    void eventsAreOffByDefaultWithNoRbacAndNoSideEffects() {
        List<HasMetadata> objects = Charts.render(Map.of());
        assertThat(container(objects).getArgs()).doesNotContain("--events");
        assertThat(of(objects, ClusterRole.class)).allSatisfy(clusterRole -> assertThat(clusterRole.getRules())
                .noneMatch(rule -> rule.getResources().contains("events")));
        assertThat(webhook(Map.of()).getSideEffects()).isEqualTo("None");
    }

    @Test
    void eventsWhenEnabledPassTheFlagMayCreateEventsAndDeclareDryRunSideEffects() {
        List<HasMetadata> objects = Charts.render(with(CLIENT_AUTH, "events.enabled", true));
        assertThat(container(objects).getArgs()).contains("--events");
        assertThat(of(objects, ClusterRole.class).get(0).getRules())
                .contains(rule("events.k8s.io", "events", List.of(), "create"));
        assertThat(webhook(with(CLIENT_AUTH, "events.enabled", true)).getSideEffects()).isEqualTo("NoneOnDryRun");
    }

    @Test
    void eventsAloneGiveTheServiceAccountItsTokenAndARole() {
        // cert-manager mode otherwise needs no API access at all.
        Map<String, Object> values = with(with(CLIENT_AUTH, "certificates.mode", "cert-manager"),
                "events.enabled", true);
        List<HasMetadata> objects = Charts.render(values);
        assertThat(of(objects, ClusterRole.class)).singleElement().satisfies(clusterRole -> assertThat(
                clusterRole.getRules()).containsExactly(rule("events.k8s.io", "events", List.of(), "create")));
        assertThat(of(objects, ServiceAccount.class)).singleElement()
                .satisfies(account -> assertThat(account.getAutomountServiceAccountToken()).isTrue());
        assertThat(of(Charts.render(Map.of("certificates.mode", "cert-manager")), ServiceAccount.class))
                .singleElement().satisfies(account -> assertThat(account.getAutomountServiceAccountToken()).isFalse());
    }

    @Test
    void theLauncherImageIsCheckedByDefaultWithoutAnyRbac() {
        List<HasMetadata> objects = Charts.render(Map.of());
        assertThat(container(objects).getArgs()).contains("--launcher-image-check=true",
                "--launcher-image-check-seconds=300").noneMatch(arg -> arg.startsWith("--launcher-pull-secrets"));
        assertThat(of(objects, Role.class)).noneMatch(role -> role.getMetadata().getName().endsWith("-launcher-pull"));
        assertThat(container(Charts.render(Map.of("launcherImage.check.enabled", false))).getArgs())
                .contains("--launcher-image-check=false");
    }

    /** The check reads the launcher pull secrets by name in the webhook's namespace, and nothing else. */
    @Test
    void launcherPullSecretsReachThePodsAndTheCheckReadsOnlyThem() {
        Map<String, Object> values = Map.of("certificates.mode", "cert-manager",
                "launcherImage.pullSecrets[0].name", "launcher-pull", "launcherImage.pullSecrets[1].name", "mirror-pull");
        List<HasMetadata> objects = Charts.render(values);
        assertThat(container(objects).getArgs()).contains("--launcher-pull-secrets=launcher-pull,mirror-pull");
        assertThat(of(objects, Role.class)).singleElement().satisfies(role -> {
            assertThat(role.getMetadata().getNamespace()).isEqualTo(Charts.NAMESPACE);
            assertThat(role.getRules()).containsExactly(
                    rule("", List.of("secrets"), List.of("launcher-pull", "mirror-pull"), "get"));
        });
        assertThat(of(objects, ServiceAccount.class)).singleElement()
                .satisfies(account -> assertThat(account.getAutomountServiceAccountToken()).isTrue());
        // Not checked, nothing read: the pods still get the secrets.
        List<HasMetadata> unchecked = Charts.render(Map.of("certificates.mode", "cert-manager",
                "launcherImage.pullSecrets[0].name", "launcher-pull", "launcherImage.check.enabled", false));
        assertThat(container(unchecked).getArgs()).contains("--launcher-pull-secrets=launcher-pull");
        assertThat(of(unchecked, Role.class)).isEmpty();
        assertThat(of(unchecked, ServiceAccount.class)).singleElement()
                .satisfies(account -> assertThat(account.getAutomountServiceAccountToken()).isFalse());
    }

    @Test
    void imagesByDigestAndInjectionValuesReachTheWebhook() {
        String digest = "sha256:" + "ab".repeat(32);
        List<HasMetadata> objects = Charts.render(Map.of("launcherImage.digest", digest, "image.digest", digest,
                "injection.defaultMode", "data", "injection.defaultRatio", "0.9", "injection.delivery", "imageVolume",
                "launcherImage.pullPolicy", "Always"));
        Container webhook = container(objects);
        assertThat(webhook.getImage()).isEqualTo("ghcr.io/rlimit-injector/rlimit-injector@" + digest);
        assertThat(env(webhook, "RLIMIT_INJECTOR_LAUNCHER_IMAGE")).isEqualTo("ghcr.io/rlimit-injector/launcher@" + digest);
        assertThat(webhook.getArgs()).contains("--launcher-pull-policy=Always", "--delivery=imageVolume", "--default-mode=data", "--default-ratio=0.9");
    }

    /** Plain HTTP on the metrics port: the scrape needs no CA, so nothing to skip verifying. */
    @Test
    void serviceMonitorOnlyWhenEnabledScrapesThePlainMetricsPort() {
        assertThat(of(Charts.render(Map.of()), GenericKubernetesResource.class)).isEmpty();
        String yaml = Charts.template(Map.of("metrics.serviceMonitor.enabled", true));
        assertThat(yaml).doesNotContain("insecureSkipVerify").doesNotContain("tlsConfig");
        assertThat(of(Charts.parse(yaml), GenericKubernetesResource.class))
                .singleElement().satisfies(monitor -> {
                    assertThat(monitor.getKind()).isEqualTo("ServiceMonitor");
                    assertThat(monitor.<List<Map<String, Object>>>get("spec", "endpoints")).singleElement()
                            .isEqualTo(Map.of("port", "metrics", "scheme", "http", "path", "/metrics",
                                    "interval", "30s"));
                });
        Service service = of(Charts.parse(yaml), Service.class).get(0);
        assertThat(service.getSpec().getPorts()).anySatisfy(port -> {
            assertThat(port.getName()).isEqualTo("metrics");
            assertThat(port.getTargetPort().getStrVal()).isEqualTo("metrics");
        });
    }

    @Test
    void alertsOnlyWhenEnabledWithTheirLabelsThresholdAndRunbooks() throws IOException {
        assertThat(Charts.template(Map.of())).doesNotContain("PrometheusRule");
        List<HasMetadata> objects = Charts.render(Map.of("metrics.prometheusRule.enabled", true,
                "metrics.prometheusRule.labels.release", "kube-prometheus-stack",
                "metrics.prometheusRule.additionalAlertLabels.team", "platform",
                "metrics.prometheusRule.certificateExpiryDays", 3));
        GenericKubernetesResource rule = of(objects, GenericKubernetesResource.class).get(0);
        assertThat(rule.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(rule.getKind()).isEqualTo("PrometheusRule");
        assertThat(rule.getMetadata().getNamespace()).isEqualTo(Charts.NAMESPACE);
        assertThat(rule.getMetadata().getLabels()).containsEntry("release", "kube-prometheus-stack");
        List<Map<String, Object>> alerts = rule.get("spec", "groups", 0, "rules");
        assertThat(alerts).extracting(alert -> alert.get("alert")).containsExactly("RlimitInjectorDown",
                "RlimitInjectorUnavailable", "RlimitInjectorCertificateExpiresSoon", "RlimitInjectorAdmissionErrors",
                "RlimitInjectorWebhookCallsFailing", "RlimitInjectorFailingOpen", "RlimitInjectorRejectingPods",
                "RlimitInjectorContainerOOMKilled");
        assertThat(alerts).allSatisfy(alert -> {
            assertThat((Map<String, Object>) alert.get("labels")).containsEntry("team", "platform")
                    .containsKey("severity");
            assertThat((Map<String, Object>) alert.get("annotations")).containsKeys("summary", "description")
                    .containsEntry("runbook_url", "https://github.com/rlimit-injector/rlimit-injector/blob/main/"
                            + "docs/metrics.md#" + alert.get("alert").toString().toLowerCase(Locale.ROOT));
        });
        assertThat(alerts.get(2).get("expr").toString()).endsWith("< 3 * 86400");
        // Each runbook_url anchor is a heading there.
        String runbooks = Files.readString(Charts.PROJECT.resolve("docs/metrics.md"));
        assertThat(alerts).allSatisfy(alert -> assertThat(runbooks).contains("\n### " + alert.get("alert") + "\n"));
    }

    @Test
    void dashboardOnlyWhenEnabledLabelledForTheSidecar() {
        assertThat(Charts.template(Map.of())).doesNotContain("rlimit-injector.json");
        ConfigMap dashboard = of(Charts.render(Map.of("metrics.grafanaDashboard.enabled", true)), ConfigMap.class)
                .stream().filter(Monitoring::isDashboard).findFirst().orElseThrow();
        assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
        assertThat(Monitoring.dashboard().get("uid").asString()).isEqualTo("rlimit-injector");
        ConfigMap relabelled = of(Charts.render(Map.of("metrics.grafanaDashboard.enabled", true,
                "metrics.grafanaDashboard.label", "dashboards", "metrics.grafanaDashboard.labelValue", "platform",
                "metrics.grafanaDashboard.annotations.grafana_folder", "Platform")), ConfigMap.class).stream()
                .filter(Monitoring::isDashboard).findFirst().orElseThrow();
        assertThat(relabelled.getMetadata().getLabels()).containsEntry("dashboards", "platform")
                .doesNotContainKey("grafana_dashboard");
        assertThat(relabelled.getMetadata().getAnnotations()).containsEntry("grafana_folder", "Platform");
    }

    @Test
    void probesAndMetricsUseThePlainPortAndMutateTheHttpsPort() {
        Container webhook = container(Charts.render(Map.of()));
        assertThat(webhook.getArgs()).contains("--port=8443", "--metrics-port=8080");
        assertThat(webhook.getPorts()).extracting(port -> port.getName() + ":" + port.getContainerPort())
                .containsExactly("https:8443", "metrics:8080");
        for (var probe : List.of(webhook.getStartupProbe(), webhook.getReadinessProbe(), webhook.getLivenessProbe())) {
            assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("metrics");
            assertThat(probe.getHttpGet().getScheme()).isNull();
        }
    }

    @Test
    void clientAuthIsOffByDefault() {
        List<HasMetadata> objects = Charts.render(Map.of());
        assertThat(container(objects).getArgs()).noneMatch(arg -> arg.startsWith("--client-"));
        assertThat(of(objects, ConfigMap.class)).isEmpty();
    }

    @Test
    void clientAuthMountsTheCaBundleAndPassesTheFlags() {
        List<HasMetadata> objects = Charts.render(with(CLIENT_AUTH, "clientAuth.allowedNames[0]", "kube-apiserver"));
        assertThat(of(objects, ConfigMap.class)).singleElement().satisfies(configMap -> {
            assertThat(configMap.getMetadata().getName()).isEqualTo("rlimit-injector-client-ca");
            assertThat(configMap.getData()).containsExactly(Map.entry("ca.crt", CLIENT_CA));
        });
        Container webhook = container(objects);
        assertThat(webhook.getArgs()).contains("--client-ca=/etc/rlimit-injector/client-ca/ca.crt",
                "--client-names=kube-apiserver");
        assertThat(webhook.getVolumeMounts()).anySatisfy(mount -> {
            assertThat(mount.getName()).isEqualTo("client-ca");
            assertThat(mount.getMountPath()).isEqualTo("/etc/rlimit-injector/client-ca");
            assertThat(mount.getSubPath()).isNull();
        });
        assertThat(of(objects, Deployment.class).get(0).getSpec().getTemplate().getSpec().getVolumes())
                .filteredOn(volume -> volume.getConfigMap() != null).singleElement()
                .satisfies(volume -> assertThat(volume.getConfigMap().getName())
                        .isEqualTo("rlimit-injector-client-ca"));
    }

    @Test
    void clientAuthCanUseAnExistingConfigMap() {
        List<HasMetadata> objects = Charts.render(Map.of("clientAuth.enabled", true,
                "clientAuth.caConfigMap", "apiserver-client-ca"));
        assertThat(of(objects, ConfigMap.class)).isEmpty();
        assertThat(container(objects).getArgs()).contains("--client-ca=/etc/rlimit-injector/client-ca/ca.crt")
                .noneMatch(arg -> arg.startsWith("--client-names"));
        assertThat(of(objects, Deployment.class).get(0).getSpec().getTemplate().getSpec().getVolumes())
                .filteredOn(volume -> volume.getConfigMap() != null).singleElement()
                .satisfies(volume -> assertThat(volume.getConfigMap().getName()).isEqualTo("apiserver-client-ca"));
    }

    @Test
    void networkPolicyIsOffByDefault() {
        assertThat(of(Charts.render(Map.of()), NetworkPolicy.class)).isEmpty();
    }

    /** The webhook port from anywhere unless peers are listed (the API server is rarely a pod); metrics only listed. */
    @Test
    void networkPolicyOpensTheWebhookPortAndTheMetricsPortOnlyToTheListedPeers() {
        NetworkPolicy open = of(Charts.render(Map.of("networkPolicy.enabled", true)), NetworkPolicy.class).get(0);
        Deployment deployment = of(Charts.render(Map.of()), Deployment.class).get(0);
        assertThat(open.getSpec().getPolicyTypes()).containsExactly("Ingress");
        assertThat(open.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(open.getSpec().getIngress()).singleElement().satisfies(rule -> {
            assertThat(rule.getPorts()).singleElement()
                    .satisfies(port -> assertThat(port.getPort().getStrVal()).isEqualTo("https"));
            assertThat(rule.getFrom()).isNullOrEmpty();
        });

        NetworkPolicy narrowed = of(Charts.render(Map.of("networkPolicy.enabled", true,
                "networkPolicy.webhook.from[0].ipBlock.cidr", "10.0.0.0/24",
                "networkPolicy.metrics.from[0].namespaceSelector.matchLabels.team", "monitoring")),
                NetworkPolicy.class).get(0);
        assertThat(narrowed.getSpec().getIngress()).hasSize(2);
        assertThat(narrowed.getSpec().getIngress().get(0).getFrom()).singleElement()
                .satisfies(peer -> assertThat(peer.getIpBlock().getCidr()).isEqualTo("10.0.0.0/24"));
        assertThat(narrowed.getSpec().getIngress().get(1).getPorts()).singleElement()
                .satisfies(port -> assertThat(port.getPort().getStrVal()).isEqualTo("metrics"));
        assertThat(narrowed.getSpec().getIngress().get(1).getFrom()).singleElement().satisfies(peer -> assertThat(
                peer.getNamespaceSelector().getMatchLabels()).containsExactly(Map.entry("team", "monitoring")));
    }

    /** {@code base} and one more value. */
    static Map<String, Object> with(Map<String, Object> base, String key, Object value) {
        Map<String, Object> values = new HashMap<>(base);
        values.put(key, value);
        return values;
    }

    @Test
    void priorityClassIsASetting() {
        var pod = of(Charts.render(Map.of("priorityClassName", "system-cluster-critical")), Deployment.class).get(0)
                .getSpec().getTemplate().getSpec();
        assertThat(pod.getPriorityClassName()).isEqualTo("system-cluster-critical");
    }

    /** kubeVersion claims the minors the API-server tests run against, oldest (1.35, hack/test.sh) to newest. */
    @Test
    void installsOnKubernetes135AndLater() {
        assertThat(templateFor("1.35.0")).contains("kind: MutatingWebhookConfiguration");
        assertThat(templateFor(Charts.KUBE_VERSION)).contains("kind: MutatingWebhookConfiguration");
        assertThatThrownBy(() -> templateFor("1.34.9")).hasMessageContaining("chart requires kubeVersion: >=1.35.0-0");
    }

    private static String templateFor(String kubeVersion) {
        return new Helm(Charts.CHART).template().withName(Charts.RELEASE).withNamespace(Charts.NAMESPACE)
                .withKubeVersion(kubeVersion).call();
    }

    private static MutatingWebhook webhook(Map<String, Object> values) {
        return of(Charts.render(values), MutatingWebhookConfiguration.class).get(0).getWebhooks().get(0);
    }

    static Container container(List<HasMetadata> objects) {
        return of(objects, Deployment.class).get(0).getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static String env(Container container, String name) {
        return container.getEnv().stream().filter(env -> env.getName().equals(name)).findFirst().orElseThrow()
                .getValue();
    }

    private static PolicyRule rule(String group, String resource, List<String> names, String... verbs) {
        return rule(group, List.of(resource), names, verbs);
    }

    private static PolicyRule rule(String group, List<String> resources, List<String> names, String... verbs) {
        return new PolicyRule(List.of(group), List.of(), names, resources, List.of(verbs));
    }
}
