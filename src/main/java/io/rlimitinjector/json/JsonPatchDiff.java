package io.rlimitinjector.json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The RFC 6902 JSON Patch that turns one tree into another, with {@code add}, {@code remove} and {@code replace}
 * only. Objects are compared field by field. Arrays are compared around their common prefix and suffix: what
 * lies between is edited element by element when both sides have as many, added or removed when only one side has
 * any, matched by name when they are named objects, and replaced as a whole otherwise. That covers what a mutation does to a pod (append to a list, insert in
 * front, edit in place) with small patches, and stays linear where a general longest-common-subsequence diff
 * compares every element of a list with every other.
 */
public final class JsonPatchDiff {
    private final ArrayNode operations = Json.MAPPER.createArrayNode();

    private JsonPatchDiff() {
    }

    public static ArrayNode between(JsonNode before, JsonNode after) {
        JsonPatchDiff diff = new JsonPatchDiff();
        diff.compare("", before, after);
        return diff.operations;
    }

    private void compare(String path, JsonNode before, JsonNode after) {
        if (before.equals(after)) {
            return;
        }
        if (before instanceof ObjectNode beforeObject && after instanceof ObjectNode afterObject) {
            compareObjects(path, beforeObject, afterObject);
        } else if (before instanceof ArrayNode beforeArray && after instanceof ArrayNode afterArray) {
            compareArrays(path, beforeArray, afterArray);
        } else {
            operation("replace", path).set("value", after);
        }
    }

    private void compareObjects(String path, ObjectNode before, ObjectNode after) {
        for (String name : before.propertyNames()) {
            if (!after.has(name)) {
                operation("remove", path + "/" + escape(name));
            }
        }
        for (var property : after.properties()) {
            String childPath = path + "/" + escape(property.getKey());
            JsonNode old = before.get(property.getKey());
            if (old == null) {
                operation("add", childPath).set("value", property.getValue());
            } else {
                compare(childPath, old, property.getValue());
            }
        }
    }

    private void compareArrays(String path, ArrayNode before, ArrayNode after) {
        int prefix = 0;
        while (prefix < before.size() && prefix < after.size() && before.get(prefix).equals(after.get(prefix))) {
            prefix++;
        }
        int suffix = 0;
        while (suffix < before.size() - prefix && suffix < after.size() - prefix
                && before.get(before.size() - 1 - suffix).equals(after.get(after.size() - 1 - suffix))) {
            suffix++;
        }
        int removed = before.size() - prefix - suffix;
        int added = after.size() - prefix - suffix;
        if (editByName(path, before, after, prefix, prefix + removed, prefix + added)) {
            return;
        }
        if (removed == added) {
            for (int i = prefix; i < prefix + added; i++) {
                compare(path + "/" + i, before.get(i), after.get(i));
            }
        } else if (removed == 0) {
            for (int i = prefix; i < prefix + added; i++) {
                operation("add", path + "/" + i).set("value", after.get(i));
            }
        } else if (added == 0) {
            for (int i = 0; i < removed; i++) {
                operation("remove", path + "/" + prefix);
            }
        } else {
            operation("replace", path).set("value", after);
        }
    }

    /**
     * Kubernetes lists of objects are keyed by {@code name} (containers, volumes, env): elements whose name went
     * away are removed, new names added, and the rest edited where they now stand. Only when every element between
     * the common prefix and suffix has a name, unique on its side, and the kept ones keep their order.
     */
    private boolean editByName(String path, ArrayNode before, ArrayNode after, int from, int beforeEnd, int afterEnd) {
        Map<String, JsonNode> beforeByName = byName(before, from, beforeEnd);
        Map<String, JsonNode> afterByName = byName(after, from, afterEnd);
        if (beforeByName == null || afterByName == null || !keptInOrder(beforeByName, afterByName)) {
            return false;
        }
        for (int i = beforeEnd - 1; i >= from; i--) {
            if (!afterByName.containsKey(before.get(i).get("name").asString())) {
                operation("remove", path + "/" + i);
            }
        }
        for (int i = from; i < afterEnd; i++) {
            JsonNode old = beforeByName.get(after.get(i).get("name").asString());
            if (old == null) {
                operation("add", path + "/" + i).set("value", after.get(i));
            } else {
                compare(path + "/" + i, old, after.get(i));
            }
        }
        return true;
    }

    private static Map<String, JsonNode> byName(ArrayNode array, int from, int to) {
        Map<String, JsonNode> byName = new LinkedHashMap<>();
        for (int i = from; i < to; i++) {
            JsonNode name = array.get(i).get("name");
            if (name == null || !name.isString() || byName.putIfAbsent(name.asString(), array.get(i)) != null) {
                return null;
            }
        }
        return byName;
    }

    private static boolean keptInOrder(Map<String, JsonNode> before, Map<String, JsonNode> after) {
        List<String> keptBefore = before.keySet().stream().filter(after::containsKey).toList();
        List<String> keptAfter = after.keySet().stream().filter(before::containsKey).toList();
        return keptBefore.equals(keptAfter);
    }

    private ObjectNode operation(String op, String path) {
        ObjectNode operation = operations.addObject();
        operation.put("op", op);
        operation.put("path", path);
        return operation;
    }

    /** RFC 6901: "~" and "/" in a name are escaped, "~" first. */
    private static String escape(String name) {
        return name.indexOf('~') < 0 && name.indexOf('/') < 0 ? name : name.replace("~", "~0").replace("/", "~1");
    }
}
