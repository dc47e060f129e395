package io.rlimitinjector.mutation;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.zjsonpatch.DiffFlags;
import io.fabric8.zjsonpatch.JsonDiff;
import io.rlimitinjector.json.Json;
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
        return (ArrayNode) JsonDiff.asJson(tree(before), tree(after), DiffFlags.dontNormalizeOpIntoMoveAndCopy());
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
