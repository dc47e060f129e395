package io.rlimitinjector.inject;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.zjsonpatch.JsonPatch;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.EntrypointResolver;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Mutates the pods and pod templates inside Kubernetes manifests, the offline twin of the webhook. It applies the
 * patch of the same {@link PodInjector} the webhook answers with to the document as read, so every field it does
 * not mutate is kept as written.
 */
public final class ManifestInjector {
    /**
     * Where workloads keep their pod template. Found by shape, not by kind, so kinds this tool never heard of
     * (OpenShift's DeploymentConfig, Argo's Rollout, Knative's Service) are mutated too: the first of these that
     * holds a pod spec with containers is the template.
     */
    private static final List<String> TEMPLATE_PATHS = List.of(
            "/spec/template", // Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, ReplicationController, ...
            "/spec/jobTemplate/spec/template", // CronJob
            "/template"); // PodTemplate

    private final PodInjector injector;
    private final EntrypointResolver resolver;

    public ManifestInjector(PodInjector injector, EntrypointResolver resolver) {
        this.injector = injector;
        this.resolver = resolver;
    }

    /** The document with its pods mutated in place, and the warnings each pod gave, named by object. */
    public List<String> inject(JsonNode document) {
        List<String> warnings = new ArrayList<>();
        injectInto(document, warnings);
        return warnings;
    }

    private void injectInto(JsonNode document, List<String> warnings) {
        String kind = document.path("kind").asString("");
        if (kind.equals("List") || kind.endsWith("List") && document.path("items").isArray()) {
            document.path("items").forEach(item -> injectInto(item, warnings));
        } else if (kind.equals("Pod")) {
            mutatePod((ObjectNode) document, document, warnings);
        } else {
            TEMPLATE_PATHS.stream().map(document::at)
                    .filter(template -> template instanceof ObjectNode && template.at("/spec/containers").isArray())
                    .findFirst()
                    .ifPresent(template -> mutatePod((ObjectNode) template, document, warnings));
        }
    }

    private void mutatePod(ObjectNode podNode, JsonNode owner, List<String> warnings) {
        Pod pod = Json.MAPPER.treeToValue(podNode, Pod.class);
        String namespace = owner.path("metadata").path("namespace").asString(null);
        Injection injection = injector.inject(pod, namespace, resolver);
        JsonNode patched = JsonPatch.apply(injection.patch(), podNode);
        podNode.removeAll();
        podNode.setAll((ObjectNode) patched);
        String name = owner.path("kind").asString("") + " " + owner.path("metadata").path("name").asString("");
        injection.mutation().warnings().forEach(warning -> warnings.add(name.trim() + ": " + warning));
    }
}
