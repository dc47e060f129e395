package io.rlimitinjector.registry;

import io.rlimitinjector.mutation.ImageConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** Reads an image config blob (OCI image config or Docker container config): {@code config.Entrypoint}, {@code Cmd}, {@code Env}. */
final class ConfigBlob {
    private ConfigBlob() {
    }

    static ImageConfig parse(byte[] body) throws RegistryException {
        JsonNode config = Documents.object(body, "image config").path("config");
        Map<String, String> env = new LinkedHashMap<>();
        for (String entry : strings(config.get("Env"))) {
            int equals = entry.indexOf('=');
            if (equals > 0) {
                env.put(entry.substring(0, equals), entry.substring(equals + 1));
            }
        }
        return new ImageConfig(strings(config.get("Entrypoint")), strings(config.get("Cmd")), env, List.of());
    }

    /** A JSON array of strings; null (as Docker writes for "no ENTRYPOINT") is empty. */
    private static List<String> strings(JsonNode node) throws RegistryException {
        List<String> strings = new ArrayList<>();
        if (node == null || node.isNull()) {
            return strings;
        }
        if (!node.isArray()) {
            throw new RegistryException(LookupFailure.INVALID_RESPONSE,
                    "image config has a malformed Entrypoint, Cmd or Env");
        }
        for (JsonNode item : node) {
            if (!item.isString()) {
                throw new RegistryException(LookupFailure.INVALID_RESPONSE,
                        "image config has a malformed Entrypoint, Cmd or Env");
            }
            strings.add(item.asString());
        }
        return strings;
    }
}
