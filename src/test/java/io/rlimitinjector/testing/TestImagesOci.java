package io.rlimitinjector.testing;

import io.rlimitinjector.json.Json;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** Builds test images and pushes them to a {@link LocalRegistry} through the registry API, as a build tool would. */
public final class TestImagesOci {
    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    private static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";

    private TestImagesOci() {
    }

    /** An image config blob; a null list leaves the field out, as an image without ENTRYPOINT has it. */
    public static byte[] config(List<String> entrypoint, List<String> cmd, Map<String, String> env, String architecture) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("architecture", architecture).put("os", "linux");
        ObjectNode config = root.putObject("config");
        if (entrypoint != null) {
            entrypoint.forEach(config.putArray("Entrypoint")::add);
        }
        if (cmd != null) {
            cmd.forEach(config.putArray("Cmd")::add);
        }
        ArrayNode envs = config.putArray("Env");
        env.forEach((name, value) -> envs.add(name + "=" + value));
        root.putObject("rootfs").put("type", "layers").putArray("diff_ids");
        return Json.MAPPER.writeValueAsBytes(root);
    }

    /**
     * Pushes config and an image manifest (OCI or Docker v2, no layers) under {@code reference}, or under its own
     * digest when that is null; returns the manifest's digest.
     */
    public static String pushImage(LocalRegistry registry, String repository, String reference, String mediaType,
            byte[] config) throws Exception {
        byte[] manifest = imageManifest(registry, repository, mediaType, config);
        return registry.pushManifest(repository, reference == null ? digest(manifest) : reference, mediaType, manifest);
    }

    private static byte[] imageManifest(LocalRegistry registry, String repository, String mediaType, byte[] config)
            throws Exception {
        String configDigest = registry.pushBlob(repository, config);
        ObjectNode manifest = Json.MAPPER.createObjectNode();
        manifest.put("schemaVersion", 2).put("mediaType", mediaType);
        manifest.putObject("config")
                .put("mediaType", mediaType.equals(OCI_MANIFEST) ? OCI_CONFIG : DOCKER_CONFIG)
                .put("digest", configDigest).put("size", config.length);
        manifest.putArray("layers");
        return Json.MAPPER.writeValueAsBytes(manifest);
    }

    /** Pushes an OCI index of linux/arm64 and linux/amd64 images, in that order, under the tag. */
    public static String pushIndex(LocalRegistry registry, String repository, String tag, byte[] amd64, byte[] arm64)
            throws Exception {
        ObjectNode index = Json.MAPPER.createObjectNode();
        index.put("schemaVersion", 2).put("mediaType", OCI_INDEX);
        ArrayNode manifests = index.putArray("manifests");
        for (Map.Entry<String, byte[]> platform : List.of(Map.entry("arm64", arm64), Map.entry("amd64", amd64))) {
            byte[] manifest = imageManifest(registry, repository, OCI_MANIFEST, platform.getValue());
            String digest = registry.pushManifest(repository, digest(manifest), OCI_MANIFEST, manifest);
            manifests.addObject().put("mediaType", OCI_MANIFEST).put("digest", digest).put("size", manifest.length)
                    .putObject("platform").put("architecture", platform.getKey()).put("os", "linux");
        }
        return registry.pushManifest(repository, tag, OCI_INDEX, Json.MAPPER.writeValueAsBytes(index));
    }

    public static String digest(byte[] content) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }
}
