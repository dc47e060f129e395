package io.rlimitinjector.registry;

import io.fabric8.kubernetes.api.model.Secret;
import io.rlimitinjector.json.Json;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** Reads registry credentials from a {@code kubernetes.io/dockerconfigjson} or {@code kubernetes.io/dockercfg} Secret. */
final class DockerConfigSecret {
    static final String CONFIG_JSON = "kubernetes.io/dockerconfigjson";
    static final String CONFIG = "kubernetes.io/dockercfg";

    private DockerConfigSecret() {
    }

    /** The credentials in it; a secret of another type or with unreadable data gives none. */
    static List<RegistryCredential> credentials(Secret secret) {
        Map<String, String> data = secret.getData();
        if (data == null) {
            return List.of();
        }
        String source = "secret " + secret.getMetadata().getNamespace() + "/" + secret.getMetadata().getName();
        try {
            if (CONFIG_JSON.equals(secret.getType()) && data.containsKey(".dockerconfigjson")) {
                return entries(decode(data.get(".dockerconfigjson")).path("auths"), source);
            }
            if (CONFIG.equals(secret.getType()) && data.containsKey(".dockercfg")) {
                return entries(decode(data.get(".dockercfg")), source);
            }
        } catch (IllegalArgumentException | JacksonException e) {
            return List.of();
        }
        return List.of();
    }

    private static JsonNode decode(String base64) {
        return Json.MAPPER.readTree(new String(Base64.getMimeDecoder().decode(base64), StandardCharsets.UTF_8));
    }

    private static List<RegistryCredential> entries(JsonNode auths, String source) {
        List<RegistryCredential> credentials = new ArrayList<>();
        for (Map.Entry<String, JsonNode> entry : auths.properties()) {
            JsonNode auth = entry.getValue();
            String username = auth.path("username").asString("");
            String password = auth.path("password").asString("");
            String encoded = auth.path("auth").asString("");
            if (username.isEmpty() && !encoded.isEmpty()) {
                String decoded = new String(Base64.getMimeDecoder().decode(encoded), StandardCharsets.UTF_8);
                int colon = decoded.indexOf(':');
                if (colon > 0) {
                    username = decoded.substring(0, colon);
                    password = decoded.substring(colon + 1);
                }
            }
            if (!username.isEmpty()) {
                credentials.add(RegistryCredential.of(entry.getKey(), username, password, source));
            }
        }
        return credentials;
    }
}
