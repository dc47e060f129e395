package io.rlimitinjector.inject;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.zjsonpatch.JsonPatch;
import io.rlimitinjector.mutation.PodPatch;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.MutationResult;
import io.rlimitinjector.mutation.PodMutator;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Mutates the pods and pod templates inside Kubernetes manifests, the offline twin of the webhook. It applies the
 * same patch the webhook would return to the document as read, so every field it does not mutate is kept as
 * written.
 */
public final class ManifestInjector {
    /** Where each workload kind keeps its pod template. */
    private static final Map<String, Function<JsonNode, JsonNode>> TEMPLATES = Map.of(
            "Deployment", doc -> doc.path("spec").path("template"),
            "StatefulSet", doc -> doc.path("spec").path("template"),
            "DaemonSet", doc -> doc.path("spec").path("template"),
            "ReplicaSet", doc -> doc.path("spec").path("template"),
            "ReplicationController", doc -> doc.path("spec").path("template"),
            "Job", doc -> doc.path("spec").path("template"),
            "CronJob", doc -> doc.path("spec").path("jobTemplate").path("spec").path("template"),
            "PodTemplate", doc -> doc.path("template"));

    private final PodMutator mutator;

    public ManifestInjector(PodMutator mutator) {
        this.mutator = mutator;
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
        } else if (TEMPLATES.containsKey(kind)) {
            JsonNode template = TEMPLATES.get(kind).apply(document);
            if (template instanceof ObjectNode templateObject) {
                mutatePod(templateObject, document, warnings);
            }
        }
    }

    private void mutatePod(ObjectNode podNode, JsonNode owner, List<String> warnings) {
        Pod pod = Json.MAPPER.treeToValue(podNode, Pod.class);
        String namespace = owner.path("metadata").path("namespace").asString(null);
        MutationResult result = mutator.mutate(pod, namespace);
        JsonNode patch = PodPatch.between(pod, result.pod());
        JsonNode patched = JsonPatch.apply(patch, podNode);
        podNode.removeAll();
        podNode.setAll((ObjectNode) patched);
        String name = owner.path("kind").asString("") + " " + owner.path("metadata").path("name").asString("");
        result.warnings().forEach(warning -> warnings.add(name.trim() + ": " + warning));
    }
}
