package io.rlimitinjector.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Our own rules for every rendering of the chart, whatever the values. */
final class ManifestChecks {
    private static final Set<String> ALWAYS_EXCLUDED = Set.of("kube-system", "kube-node-lease");

    private ManifestChecks() {
    }

    static void check(List<HasMetadata> objects, String namespace) {
        List<Deployment> deployments = of(objects, Deployment.class);
        assertThat(deployments).hasSize(1);
        deployments.forEach(deployment -> restricted(deployment.getSpec().getTemplate().getSpec()));
        List<MutatingWebhookConfiguration> configurations = of(objects, MutatingWebhookConfiguration.class);
        assertThat(configurations).hasSize(1);
        // Recording Events is a side effect: declared, and skipped on dry runs, exactly when the webhook does it.
        boolean events = deployments.get(0).getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()
                .contains("--events");
        configurations.forEach(configuration -> webhook(configuration, namespace, events ? "NoneOnDryRun" : "None"));
        List<PolicyRule> rules = new ArrayList<>();
        of(objects, ClusterRole.class).forEach(role -> rules.addAll(role.getRules()));
        of(objects, Role.class).forEach(role -> {
            assertThat(role.getMetadata().getNamespace()).isEqualTo(namespace);
            rules.addAll(role.getRules());
        });
        rules.forEach(ManifestChecks::noWildcard);
    }

    /** Pod Security Standard "restricted", plus resources and HTTPS probes. */
    static void restricted(PodSpec pod) {
        assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
        restrictedApartFromHostNetwork(pod);
    }

    /** The rest of "restricted" holds with {@code hostNetwork}, which only "privileged" allows. */
    static void restrictedApartFromHostNetwork(PodSpec pod) {
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getVolumes()).allSatisfy(volume -> assertThat(volume.getHostPath()).isNull());
        for (Container container : pod.getContainers()) {
            var security = container.getSecurityContext();
            assertThat(security.getAllowPrivilegeEscalation()).isFalse();
            assertThat(security.getReadOnlyRootFilesystem()).isTrue();
            assertThat(security.getRunAsNonRoot()).isTrue();
            assertThat(security.getPrivileged()).isNotEqualTo(Boolean.TRUE);
            assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
            assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
            assertThat(container.getResources().getLimits()).containsKeys("memory", "cpu");
            assertThat(container.getResources().getRequests()).containsKeys("memory", "cpu");
            assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
            assertThat(container.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("metrics");
            assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
            assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("metrics");
        }
    }

    static void webhook(MutatingWebhookConfiguration configuration, String namespace, String sideEffects) {
        assertThat(configuration.getApiVersion()).isEqualTo("admissionregistration.k8s.io/v1");
        for (MutatingWebhook webhook : configuration.getWebhooks()) {
            assertThat(webhook.getClientConfig().getCaBundle()).as("caBundle is never rendered").isNull();
            assertThat(webhook.getClientConfig().getUrl()).isNull();
            assertThat(webhook.getAdmissionReviewVersions()).containsExactly("v1");
            assertThat(webhook.getSideEffects()).isEqualTo(sideEffects);
            assertThat(webhook.getReinvocationPolicy()).isEqualTo("IfNeeded");
            assertThat(webhook.getTimeoutSeconds()).isBetween(1, 30);
            assertThat(webhook.getRules()).singleElement().satisfies(rule -> {
                assertThat(rule.getApiGroups()).containsExactly("");
                assertThat(rule.getResources()).containsExactly("pods");
                assertThat(rule.getOperations()).containsExactly("CREATE");
            });
            assertThat(webhook.getObjectSelector().getMatchExpressions()).containsExactly(
                    requirement("rlimit-injector.io/inject", "NotIn", "disabled"));
            LabelSelectorRequirement names = webhook.getNamespaceSelector().getMatchExpressions().stream()
                    .filter(expression -> expression.getKey().equals("kubernetes.io/metadata.name"))
                    .findFirst().orElseThrow();
            assertThat(names.getOperator()).isEqualTo("NotIn");
            assertThat(names.getValues()).contains(namespace).containsAll(ALWAYS_EXCLUDED);
        }
    }

    static void noWildcard(PolicyRule rule) {
        List<String> all = new ArrayList<>();
        all.addAll(rule.getApiGroups());
        all.addAll(rule.getResources());
        all.addAll(rule.getVerbs());
        all.addAll(rule.getResourceNames());
        assertThat(all).as("RBAC rule %s", rule).noneMatch(value -> value.contains("*"));
        assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
        assertThat(rule.getVerbs()).isSubsetOf("get", "create", "update", "patch");
    }

    static LabelSelectorRequirement requirement(String key, String operator, String... values) {
        return new LabelSelectorRequirement(key, operator, List.of(values));
    }

    static <T> List<T> of(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
