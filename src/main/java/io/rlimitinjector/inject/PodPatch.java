package io.rlimitinjector.inject;

import io.fabric8.kubernetes.api.model.Pod;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.json.JsonPatchDiff;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The JSONPatch from one pod to another, computed by diffing the two (mutate-then-diff): the mutation code never
 * writes patch operations by hand, so it cannot write a wrong one.
 */
public final class PodPatch {
    private PodPatch() {
    }

    /**
     * Both sides are the model's serialization, so only the mutation shows up in the diff, and {@code managedFields}
     * is left out, as the API server owns it.
     *
     * @param before the pod before the mutation, as the model serializes it; its managedFields are removed
     */
    public static ArrayNode between(JsonNode before, Pod after) {
        return JsonPatchDiff.between(withoutManagedFields(before), withoutManagedFields(Json.MAPPER.valueToTree(after)));
    }

    private static JsonNode withoutManagedFields(JsonNode tree) {
        if (tree.get("metadata") instanceof ObjectNode metadata) {
            metadata.remove("managedFields");
        }
        return tree;
    }
}
