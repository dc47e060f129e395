package io.rlimitinjector.admission;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.Contract;
import io.rlimitinjector.mutation.MemoryQuantity;
import io.rlimitinjector.testing.Reviews;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.MissingNode;
import tools.jackson.databind.node.ObjectNode;

/** Pods to create through the API server, and what to compare in what it stored. */
final class ApiServerPods {
    private ApiServerPods() {
    }

    /** No volumes, init containers, env or annotations: every patch operation has to create its parent. */
    static Pod minimal(String name) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addToContainers(new ContainerBuilder().withName("app").withImage("registry.test/app:1")
                        .withCommand("app").withNewResources().addToLimits("memory", new Quantity("128Mi"))
                        .endResources().build())
                .endSpec().build();
    }

    static Pod python(String name) {
        Pod pod = Json.MAPPER.treeToValue(Reviews.pod(Reviews.PYTHON_POD), Pod.class);
        pod.getMetadata().setName(name);
        return pod;
    }

    static boolean isInjected(Pod pod) {
        return pod.getMetadata().getAnnotations() != null
                && pod.getMetadata().getAnnotations().containsKey(Contract.STATUS);
    }

    /**
     * The status annotation, parsed, with each memory limit in bytes: the API server stores quantities in canonical
     * form before webhooks see them ({@code 1.5Gi} becomes {@code 1536Mi}).
     */
    static JsonNode status(JsonNode pod) {
        JsonNode text = pod.path("metadata").path("annotations").path(Contract.STATUS);
        if (text.isMissingNode()) {
            return null;
        }
        JsonNode status = Json.MAPPER.readTree(text.asString());
        for (JsonNode container : status.path("containers")) {
            if (container.has("memoryLimit")) {
                ((ObjectNode) container).put("memoryLimit",
                        MemoryQuantity.toBytes(container.get("memoryLimit").asString()).orElseThrow());
            }
        }
        return status;
    }

    /** Each container of the list as "name: command | args | env names", in order. */
    static List<String> commandLines(JsonNode pod, String list) {
        List<String> lines = new ArrayList<>();
        for (JsonNode container : pod.path("spec").path(list)) {
            List<String> env = new ArrayList<>();
            container.path("env").forEach(variable -> env.add(variable.path("name").asString()));
            lines.add(container.path("name").asString() + ": " + container.path("command") + " | "
                    + container.path("args") + " | " + env);
        }
        return lines;
    }

    /** Volume names, without the token volume the ServiceAccount admission plugin adds to every pod. */
    static List<String> volumeNames(JsonNode pod) {
        List<String> names = new ArrayList<>();
        for (JsonNode volume : pod.path("spec").path("volumes")) {
            String name = volume.path("name").asString();
            if (!name.startsWith("kube-api-access-")) {
                names.add(name);
            }
        }
        return names;
    }

    /** Each container of the list as "name: volume at path, ...", without the token mount the API server adds. */
    static List<String> mounts(JsonNode pod, String list) {
        List<String> lines = new ArrayList<>();
        for (JsonNode container : pod.path("spec").path(list)) {
            List<String> mounts = new ArrayList<>();
            for (JsonNode mount : container.path("volumeMounts")) {
                if (!mount.path("name").asString().startsWith("kube-api-access-")) {
                    mounts.add(mount.path("name").asString() + " at " + mount.path("mountPath").asString());
                }
            }
            lines.add(container.path("name").asString() + ": " + String.join(", ", mounts));
        }
        return lines;
    }

    /** The launcher's volume as stored, or a missing node. */
    static JsonNode launcherVolume(JsonNode pod) {
        for (JsonNode volume : pod.path("spec").path("volumes")) {
            if (Contract.VOLUME.equals(volume.path("name").asString())) {
                return volume;
            }
        }
        return MissingNode.getInstance();
    }
}
