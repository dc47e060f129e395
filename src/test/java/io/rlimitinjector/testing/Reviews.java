package io.rlimitinjector.testing;

import io.rlimitinjector.admission.ReviewWriter;
import io.rlimitinjector.inject.Admission;
import io.rlimitinjector.json.Json;
import java.util.Base64;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** AdmissionReview requests as the API server sends them, and readers for the answers. */
public final class Reviews {
    private Reviews() {
    }

    public static ObjectNode podCreate(String uid, String namespace, JsonNode pod) {
        ObjectNode review = Json.MAPPER.createObjectNode();
        review.put("apiVersion", "admission.k8s.io/v1");
        review.put("kind", "AdmissionReview");
        ObjectNode request = review.putObject("request");
        request.put("uid", uid);
        request.putObject("kind").put("group", "").put("version", "v1").put("kind", "Pod");
        request.putObject("resource").put("group", "").put("version", "v1").put("resource", "pods");
        request.put("namespace", namespace);
        request.put("operation", "CREATE");
        request.set("object", pod);
        return review;
    }

    public static JsonNode pod(String yaml) {
        return Json.YAML.readTree(yaml);
    }

    /** The AdmissionReview the webhook sends for this answer, as the API server reads it. */
    public static JsonNode sent(Admission admission) {
        return Json.MAPPER.readTree(ReviewWriter.bytes(admission));
    }

    /** The pod after the response's patch, as the API server would store it. */
    public static JsonNode patched(JsonNode pod, JsonNode review) {
        JsonNode patch = patch(review);
        return patch == null ? pod : io.fabric8.zjsonpatch.JsonPatch.apply(patch, pod);
    }

    public static ArrayNode patch(JsonNode review) {
        JsonNode response = review.get("response");
        if (!response.has("patch")) {
            return null;
        }
        return (ArrayNode) Json.MAPPER.readTree(Base64.getDecoder().decode(response.get("patch").asString()));
    }

    /**
     * A pod of one container named app with a memory limit: with {@code image} and no command, so its entrypoint
     * must be looked up, or, when {@code image} is null, with a command.
     */
    public static String oneContainerPod(String name, String image) {
        String container = image == null
                ? "{name: app, image: python:3.12, command: [python], resources: {limits: {memory: 1Gi}}}"
                : "{name: app, image: " + image + ", resources: {limits: {memory: 1Gi}}}";
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s}
                spec:
                  containers:
                    - %s
                """.formatted(name, container);
    }

    /** The creation of {@link #oneContainerPod} as the bytes the API server sends. */
    public static byte[] oneContainerReview(String name, String image) {
        return Json.MAPPER.writeValueAsBytes(podCreate("uid-" + name, "shop", pod(oneContainerPod(name, image))));
    }

    public static final String PYTHON_POD = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: api
            spec:
              containers:
                - name: api
                  image: python:3.12
                  command: ["python", "app.py"]
                  resources:
                    limits:
                      memory: 1Gi
                - name: logs
                  image: fluent/fluent-bit:3
            """;
}
