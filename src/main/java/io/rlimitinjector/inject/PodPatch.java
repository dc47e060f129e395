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
     * Both sides go through the same model serialization, so only the mutation shows up in the diff, and
     * {@code managedFields} is left out, as the API server owns it.
     */
    public static ArrayNode between(Pod before, Pod after) {
        return JsonPatchDiff.between(tree(before), tree(after));
    }

    static JsonNode tree(Pod pod) {
        JsonNode tree = Json.MAPPER.valueToTree(pod);
        JsonNode metadata = tree.get("metadata");
        if (metadata instanceof ObjectNode metadataObject) {
            metadataObject.remove("managedFields");
        }
        return tree;
    }
}
