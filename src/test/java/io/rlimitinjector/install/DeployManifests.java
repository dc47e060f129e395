package io.rlimitinjector.install;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** {@code deploy/}: the chart rendered with its default values, plus the namespace Helm would create. */
final class DeployManifests {
    static final String REGENERATE = "bash hack/render-deploy.sh";
    static final Path FILE = Charts.DEPLOY.resolve("rlimit-injector.yaml");

    private DeployManifests() {
    }

    static String render() {
        return """
                # Rendered from charts/rlimit-injector with its default values by %s. Do not edit:
                # change the chart and run the script again. Install: kubectl apply -f deploy/
                ---
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: %s
                  labels:
                    pod-security.kubernetes.io/enforce: restricted
                """.formatted(REGENERATE, Charts.NAMESPACE) + Charts.template(Map.of());
    }

    /** Used by hack/render-deploy.sh. */
    public static void main(String[] args) throws IOException {
        Files.createDirectories(FILE.getParent());
        Files.writeString(FILE, render(), StandardCharsets.UTF_8);
        System.out.println("wrote " + FILE);
    }
}
