package io.rlimitinjector.registry;

import io.rlimitinjector.json.Json;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** What every registry document needs: reading it as a JSON object, and checking its content digest. */
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
        return digest("sha256", "SHA-256", content);
    }

    /**
     * Whether the content is what the digest names. Only sha256 and sha512, which {@link ImageReference#DIGEST}
     * admits, can match: content under any other digest is never believed unverified.
     */
    static boolean matches(String digest, byte[] content) {
        String algorithm = digest.substring(0, Math.max(digest.indexOf(':'), 0));
        return switch (algorithm) {
            case "sha256" -> sha256(content).equals(digest);
            case "sha512" -> digest("sha512", "SHA-512", content).equals(digest);
            default -> false;
        };
    }

    private static String digest(String prefix, String algorithm, byte[] content) {
        try {
            return prefix + ":" + HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has " + algorithm, e);
        }
    }
}
