package io.rlimitinjector.install;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The chart under test, rendered with helm-java (no helm binary) and read back with the fabric8 model. */
final class Charts {
    static final Path PROJECT = Path.of(System.getProperty("rlimit-injector.project-dir", "."));
    static final Path CHART = PROJECT.resolve("charts/rlimit-injector");
    static final Path DEPLOY = PROJECT.resolve("deploy");
    static final String RELEASE = "rlimit-injector";
    static final String NAMESPACE = "rlimit-injector";
    /** The embedded helm defaults to Kubernetes 1.20, below the chart's kubeVersion; the test binaries' version. */
    static final String KUBE_VERSION = "1.37.2";
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private Charts() {
    }

    /** {@code helm template} with {@code --set} values, as YAML. */
    static String template(Map<String, Object> values) {
        TemplateCommand command = new Helm(CHART).template().withName(RELEASE).withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
        values.forEach(command::set);
        return command.call();
    }

    static List<HasMetadata> render(Map<String, Object> values) {
        return parse(template(values));
    }

    static List<HasMetadata> parse(String yaml) {
        Object parsed = SERIALIZATION.unmarshal(yaml);
        if (parsed instanceof KubernetesList list) {
            return list.getItems();
        }
        if (parsed instanceof List<?> list) {
            return list.stream().map(HasMetadata.class::cast).toList();
        }
        return List.of((HasMetadata) parsed);
    }
}
