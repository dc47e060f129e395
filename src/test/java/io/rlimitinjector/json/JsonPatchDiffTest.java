package io.rlimitinjector.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.zjsonpatch.JsonPatch;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The diff is checked by applying it with an independent JSON Patch implementation (zjsonpatch). */
class JsonPatchDiffTest {
    @Test
    void equalTreesMakeAnEmptyPatch() {
        JsonNode pod = json("{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}");
        assertThat(JsonPatchDiff.between(pod, pod.deepCopy())).isEmpty();
    }

    @Test
    void anElementInsertedInFrontIsOneAdd() {
        assertThat(JsonPatchDiff.between(json("{\"l\":[{\"n\":1},{\"n\":2}]}"), json("{\"l\":[{\"n\":0},{\"n\":1},{\"n\":2}]}")))
                .isEqualTo(json("[{\"op\":\"add\",\"path\":\"/l/0\",\"value\":{\"n\":0}}]"));
    }

    @Test
    void anElementEditedInPlaceIsEditedNotReplaced() {
        assertThat(JsonPatchDiff.between(json("{\"l\":[{\"n\":1,\"c\":[\"x\"]}]}"), json("{\"l\":[{\"n\":1,\"c\":[\"y\",\"x\"]}]}")))
                .isEqualTo(json("[{\"op\":\"add\",\"path\":\"/l/0/c/0\",\"value\":\"y\"}]"));
    }

    @Test
    void namedElementsAreMatchedByName() {
        assertThat(JsonPatchDiff.between(
                json("{\"l\":[{\"name\":\"a\",\"v\":1},{\"name\":\"b\"}]}"),
                json("{\"l\":[{\"name\":\"new\"},{\"name\":\"a\",\"v\":2}]}")))
                .isEqualTo(json("[{\"op\":\"remove\",\"path\":\"/l/1\"},"
                        + "{\"op\":\"add\",\"path\":\"/l/0\",\"value\":{\"name\":\"new\"}},"
                        + "{\"op\":\"replace\",\"path\":\"/l/1/v\",\"value\":2}]"));
    }

    @Test
    void namesWithSlashAndTildeAreEscaped() {
        assertThat(JsonPatchDiff.between(json("{\"a\":{}}"), json("{\"a\":{\"rlimit-injector.io/x~y\":\"1\"}}")))
                .isEqualTo(json("[{\"op\":\"add\",\"path\":\"/a/rlimit-injector.io~1x~0y\",\"value\":\"1\"}]"));
    }

    @ParameterizedTest
    @MethodSource("edits")
    void thePatchTurnsTheFirstTreeIntoTheSecond(String before, String after) {
        assertAppliesExactly(json(before), json(after));
    }

    static Stream<org.junit.jupiter.params.provider.Arguments> edits() {
        return Stream.of(
                args("{\"a\":1}", "{\"a\":2}"),
                args("{\"a\":1}", "{\"a\":[1]}"),
                args("{\"a\":1,\"b\":2}", "{\"b\":2}"),
                args("{\"l\":[1,2,3,4]}", "{\"l\":[1,4]}"),
                args("{\"l\":[1,2,3]}", "{\"l\":[]}"),
                args("{\"l\":[1,2,3]}", "{\"l\":[9,8]}"),
                args("{\"l\":[1,2,3]}", "{\"l\":[1,7,8,9,3]}"),
                args("{\"l\":[1,1,1]}", "{\"l\":[1,1]}"),
                args("{\"l\":[]}", "{\"l\":[1,2]}"),
                args("[1,2]", "{\"a\":1}"),
                args("{\"a\":null}", "{\"a\":{\"b\":null}}"),
                args("{\"l\":[{\"name\":\"a\"},{\"name\":\"b\"}]}", "{\"l\":[{\"name\":\"b\"},{\"name\":\"a\",\"x\":1},{\"name\":\"c\"}]}"),
                args("{\"l\":[{\"name\":\"a\"},{\"name\":\"a\"}]}", "{\"l\":[{\"name\":\"a\",\"x\":1}]}"),
                args("{\"l\":[{\"name\":1},{\"name\":\"b\"}]}", "{\"l\":[{\"name\":\"z\"},{\"name\":\"b\",\"x\":1},{\"name\":1}]}"));
    }

    /** Random trees and random edits of them, as many shapes as a pod can take and more. */
    @Test
    void randomEditsRoundTrip() {
        Random random = new Random(6902);
        IntStream.range(0, 20000).forEach(i -> {
            JsonNode before = randomTree(random, 4);
            assertAppliesExactly(before, edit(random, before.deepCopy(), 3));
        });
    }

    private static void assertAppliesExactly(JsonNode before, JsonNode after) {
        ArrayNode patch = JsonPatchDiff.between(before, after);
        assertThat(JsonPatch.apply(patch, before)).as("patch %s", patch).isEqualTo(after);
    }

    private static JsonNode randomTree(Random random, int depth) {
        int shape = depth == 0 ? 2 + random.nextInt(2) : random.nextInt(4);
        switch (shape) {
            case 0 -> {
                ObjectNode object = Json.MAPPER.createObjectNode();
                IntStream.range(0, random.nextInt(4)).forEach(i -> object.set(name(random), randomTree(random, depth - 1)));
                return object;
            }
            case 1 -> {
                ArrayNode array = Json.MAPPER.createArrayNode();
                IntStream.range(0, random.nextInt(5)).forEach(i -> array.add(randomTree(random, depth - 1)));
                return array;
            }
            case 2 -> {
                return Json.MAPPER.getNodeFactory().numberNode(random.nextInt(3));
            }
            default -> {
                return Json.MAPPER.getNodeFactory().stringNode(name(random));
            }
        }
    }

    private static JsonNode edit(Random random, JsonNode tree, int edits) {
        for (int i = 0; i < edits; i++) {
            JsonNode node = tree;
            while ((node.isObject() || node.isArray()) && !node.isEmpty() && random.nextBoolean()) {
                node = node.get(random.nextInt(node.size())) == null
                        ? node.values().iterator().next() : node.isArray() ? node.get(random.nextInt(node.size()))
                        : node.values().iterator().next();
            }
            if (node instanceof ArrayNode array) {
                int at = array.isEmpty() ? 0 : random.nextInt(array.size() + 1);
                if (random.nextBoolean() || array.isEmpty()) {
                    array.insert(at, randomTree(random, 1));
                } else {
                    array.remove(Math.min(at, array.size() - 1));
                }
            } else if (node instanceof ObjectNode object) {
                if (random.nextBoolean() || object.isEmpty()) {
                    object.set(name(random), randomTree(random, 1));
                } else {
                    object.remove(object.propertyNames().iterator().next());
                }
            } else if (tree instanceof ObjectNode root) {
                root.set(name(random), randomTree(random, 2));
            }
        }
        return tree;
    }

    /** Few names, so edits collide with existing fields; "name" makes lists of named objects; some need escaping (not "~1", which zjsonpatch decodes wrongly). */
    private static String name(Random random) {
        return new String[] {"a", "b", "name", "x/y", "t~", ""}[random.nextInt(6)];
    }

    private static org.junit.jupiter.params.provider.Arguments args(String before, String after) {
        return org.junit.jupiter.params.provider.Arguments.of(before, after);
    }

    private static JsonNode json(String text) {
        return Json.MAPPER.readTree(text);
    }
}
