package io.rlimitinjector.registry;

import io.rlimitinjector.json.Json;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** What every registry document needs: reading it as a JSON object, and its content digest. */
final class Documents {
    private Documents() {
    }

    /** @param what names the document in the message, as {@code manifest} */
    static JsonNode object(byte[] body, String what) throws RegistryException {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (JacksonException e) {
            throw new RegistryException(LookupFailure.INVALID_RESPONSE, what + " is not valid JSON");
        }
        if (root == null || !root.isObject()) {
            throw new RegistryException(LookupFailure.INVALID_RESPONSE, what + " is not a JSON object");
        }
        return root;
    }

    /** {@code sha256:<hex>}, the form digests take in references and manifests. */
    static String sha256(byte[] content) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
