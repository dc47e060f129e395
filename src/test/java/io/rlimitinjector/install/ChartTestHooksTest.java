package io.rlimitinjector.install;

import static io.rlimitinjector.install.ManifestChecks.of;
import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.rlimitinjector.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code helm test} hooks. helm-java's template leaves hooks out, so they are rendered from a copy of the chart
 * whose {@code helm.sh/hook} annotations are renamed {@code test.helm.sh/hook}: the objects render as plain ones, and
 * the renamed annotations show what the real ones say.
 */
class ChartTestHooksTest {
    private static final String HOOK = "test.helm.sh/hook";
    private static final String TEST_NAMESPACE = Charts.RELEASE + "-test";

    @TempDir
    Path copy;

    @Test
    void everyObjectIsATestHookDeletedWhenTheTestPasses() throws IOException {
        List<HasMetadata> objects = hooks(Map.of());
        assertThat(objects).extracting(HasMetadata::getKind).containsExactlyInAnyOrder("Namespace", "ServiceAccount", "ServiceAccount",
                "ClusterRole", "ClusterRoleBinding", "ClusterRole", "RoleBinding", "Role", "RoleBinding", "ConfigMap",
                "Pod");
        assertThat(objects).allSatisfy(object -> assertThat(object.getMetadata().getAnnotations())
                .containsEntry(HOOK, "test")
                .containsEntry(HOOK + "-delete-policy", "before-hook-creation,hook-succeeded"));
        // Helm creates test hooks by weight, then by name: the namespace before what goes in it, the pod last.
        assertThat(objects).filteredOn(object -> object instanceof Namespace).singleElement()
                .satisfies(object -> assertThat(object.getMetadata().getAnnotations()).containsEntry(HOOK + "-weight", "-10"));
        assertThat(objects).filteredOn(object -> !(object instanceof Pod || object instanceof Namespace))
                .allSatisfy(object -> assertThat(object.getMetadata().getAnnotations()).containsEntry(HOOK + "-weight", "-5"));
        assertThat(of(objects, Pod.class).get(0).getMetadata().getAnnotations()).doesNotContainKey(HOOK + "-weight");
    }

    @Test
    void thePodChecksAManifestInANamespaceItOptsInUnderRestrictedPodSecurity() throws IOException {
        List<HasMetadata> objects = hooks(Map.of());
        Namespace namespace = of(objects, Namespace.class).get(0);
        assertThat(namespace.getMetadata().getName()).isEqualTo(TEST_NAMESPACE);
        assertThat(namespace.getMetadata().getLabels()).containsEntry("rlimit-injector.io/inject", "enabled")
                .containsEntry("pod-security.kubernetes.io/enforce", "restricted");

        Pod pod = of(objects, Pod.class).get(0);
        assertThat(pod.getMetadata().getNamespace()).isEqualTo(Charts.NAMESPACE);
        assertThat(pod.getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(pod.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSpec().getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        Container check = pod.getSpec().getContainers().get(0);
        assertThat(check.getImage()).isEqualTo("ghcr.io/rlimit-injector/rlimit-injector:0.1.0");
        assertThat(check.getArgs()).containsExactly("check", "--namespace=" + TEST_NAMESPACE,
                "--filename=/etc/rlimit-injector/test/pod.yaml", "--webhook-configuration=" + Charts.RELEASE,
                "--no-registry");
        assertThat(check.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(check.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(check.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(check.getResources().getLimits()).containsKeys("cpu", "memory");

        Pod checked = Json.YAML.readValue(of(objects, ConfigMap.class).get(0).getData().get("pod.yaml"), Pod.class);
        Container app = checked.getSpec().getContainers().get(0);
        assertThat(app.getCommand()).isNotEmpty();
        assertThat(checked.getSpec().getServiceAccountName()).isEqualTo("checked");
        assertThat(app.getResources().getLimits()).containsKey("memory");
        assertThat(app.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(checked.getSpec().getSecurityContext().getRunAsNonRoot()).isTrue();
    }

    @Test
    void rbacReadsByNameAndCreatesPodsOnlyInTheTestNamespace() throws IOException {
        List<HasMetadata> objects = hooks(Map.of());
        List<PolicyRule> rules = Stream.concat(of(objects, ClusterRole.class).stream().flatMap(role -> role.getRules().stream()),
                of(objects, Role.class).stream().flatMap(role -> role.getRules().stream())).toList();
        assertThat(rules).allSatisfy(rule -> assertThat(Stream.of(rule.getApiGroups(), rule.getResources(),
                rule.getVerbs()).flatMap(List::stream)).noneMatch(value -> value.contains("*")));
        assertThat(rules).allSatisfy(rule -> assertThat(rule.getVerbs()).isSubsetOf("get", "list", "create"));
        // EndpointSlices are found by their Service's label, which RBAC cannot narrow: list, in the release namespace.
        assertThat(rules).filteredOn(rule -> rule.getVerbs().contains("list"))
                .allSatisfy(rule -> assertThat(rule.getResources()).containsExactly("endpointslices"));
        assertThat(rules).filteredOn(rule -> rule.getVerbs().contains("get"))
                .allSatisfy(rule -> assertThat(rule.getResourceNames()).isNotEmpty());
        ClusterRole dryRun = of(objects, ClusterRole.class).stream()
                .filter(role -> role.getRules().get(0).getResources().contains("pods")).findFirst().orElseThrow();
        assertThat(of(objects, ClusterRoleBinding.class)).noneMatch(binding ->
                binding.getRoleRef().getName().equals(dryRun.getMetadata().getName()));
        assertThat(of(objects, RoleBinding.class)).filteredOn(binding ->
                        binding.getRoleRef().getName().equals(dryRun.getMetadata().getName()))
                .singleElement()
                .satisfies(binding -> assertThat(binding.getMetadata().getNamespace()).isEqualTo(TEST_NAMESPACE));
        assertThat(of(objects, Role.class)).allSatisfy(role -> assertThat(role.getMetadata().getNamespace())
                .isEqualTo(Charts.NAMESPACE));
    }

    @Test
    void offRendersNone() throws IOException {
        assertThat(hooks(Map.of("tests.enabled", false))).isEmpty();
    }

    /** The objects carrying the renamed hook annotation, from the chart copy. */
    private List<HasMetadata> hooks(Map<String, Object> values) throws IOException {
        try (Stream<Path> files = Files.walk(Charts.CHART)) {
            for (Path file : files.toList()) {
                Path target = copy.resolve(Charts.CHART.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.writeString(target, Files.readString(file).replace("helm.sh/hook", HOOK));
                }
            }
        }
        TemplateCommand command = new Helm(copy).template().withName(Charts.RELEASE).withNamespace(Charts.NAMESPACE)
                .withKubeVersion(Charts.KUBE_VERSION);
        values.forEach(command::set);
        return Charts.parse(command.call()).stream()
                .filter(object -> object.getMetadata().getAnnotations() != null
                        && object.getMetadata().getAnnotations().containsKey(HOOK))
                .toList();
    }
}
