package io.rlimitinjector.install;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code deploy/}: the chart rendered with its default values, plus the namespace Helm would create, installed through
 * the kustomization beside it, which is written by hand ({@link #KUSTOMIZATION}); and in {@code deploy/image-volume/}
 * the same with {@code injection.delivery=imageVolume}, which kustomize does not read.
 *
 * @param file where it is written
 * @param values the chart values it is rendered with
 * @param install the command that installs it
 */
record DeployManifests(Path file, Map<String, Object> values, String install) {
    static final String REGENERATE = "bash hack/render-deploy.sh";
    static final DeployManifests DEFAULT = new DeployManifests(Charts.DEPLOY.resolve("rlimit-injector.yaml"), Map.of(),
            "kubectl apply -k deploy/");
    static final DeployManifests IMAGE_VOLUME = new DeployManifests(
            Charts.DEPLOY.resolve("image-volume/rlimit-injector.yaml"),
            Map.of("injection.delivery", "imageVolume"), "kubectl apply -f deploy/image-volume/");
    static final List<DeployManifests> ALL = List.of(DEFAULT, IMAGE_VOLUME);
    /** The hand-written files of {@code deploy/} that make it a kustomization: never rendered, never stale. */
    static final List<Path> KUSTOMIZATION = List.of(Charts.DEPLOY.resolve("kustomization.yaml"),
            Charts.DEPLOY.resolve("kustomizeconfig.yaml"));

    String render() {
        String described = values.isEmpty() ? "its default values" : "the values " + values;
        return """
                # Rendered from charts/rlimit-injector with %s by %s. Do not edit:
                # change the chart and run the script again. Install: %s
                ---
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: %s
                  labels:
                    pod-security.kubernetes.io/enforce: restricted
                """.formatted(described, REGENERATE, install, Charts.NAMESPACE) + Charts.template(values);
    }

    /** Used by hack/render-deploy.sh. */
    public static void main(String[] args) throws IOException {
        for (DeployManifests manifests : ALL) {
            Files.createDirectories(manifests.file.getParent());
            Files.writeString(manifests.file, manifests.render(), StandardCharsets.UTF_8);
            System.out.println("wrote " + manifests.file);
        }
    }
}
