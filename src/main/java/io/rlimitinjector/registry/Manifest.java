package io.rlimitinjector.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/**
 * A manifest as the registry returns it: an image index (OCI index or Docker manifest list) naming one manifest per
 * platform, or an image manifest (OCI or Docker v2) naming the config blob.
 */
sealed interface Manifest {
    /** Every manifest type this client reads, so the registry never falls back to Docker schema 1. */
    String ACCEPT = String.join(", ",
            "application/vnd.oci.image.index.v1+json",
            "application/vnd.docker.distribution.manifest.list.v2+json",
            "application/vnd.oci.image.manifest.v1+json",
            "application/vnd.docker.distribution.manifest.v2+json");

    record Index(List<Platform> manifests) implements Manifest {
        public Index {
            manifests = List.copyOf(manifests);
        }
    }

    record Image(String configDigest) implements Manifest {
    }

    /** One entry of an index; os and architecture are empty when the index does not say. */
    record Platform(String digest, String os, String architecture) {
        boolean is(String wantedOs, String wantedArchitecture) {
            return os.equals(wantedOs) && architecture.equals(wantedArchitecture);
        }

        @Override
        public String toString() {
            return os + "/" + architecture;
        }
    }

    /** @throws RegistryException when the body is not a manifest this client can read */
    static Manifest parse(byte[] body) throws RegistryException {
        JsonNode root = Documents.object(body, "manifest");
        if (root.path("schemaVersion").asInt(0) == 1) {
            throw new RegistryException(LookupFailure.UNSUPPORTED,
                    "manifest is Docker schema 1, which is deprecated and not supported");
        }
        JsonNode manifests = root.get("manifests");
        if (manifests != null && manifests.isArray()) {
            List<Platform> platforms = new ArrayList<>();
            for (JsonNode entry : manifests) {
                JsonNode platform = entry.path("platform");
                platforms.add(new Platform(digest(entry), text(platform, "os"), text(platform, "architecture")));
            }
            if (platforms.isEmpty()) {
                throw new RegistryException(LookupFailure.INVALID_RESPONSE, "image index lists no manifests");
            }
            return new Index(platforms);
        }
        JsonNode config = root.get("config");
        if (config != null && config.isObject()) {
            return new Image(digest(config));
        }
        throw new RegistryException(LookupFailure.INVALID_RESPONSE,
                "manifest has neither \"manifests\" nor \"config\"");
    }

    /**
     * The platform to read: linux/amd64, else linux/arm64, else the first entry that names a real platform (build
     * attestations show as unknown/unknown).
     */
    static Optional<Platform> preferred(Index index) {
        return index.manifests().stream().filter(p -> p.is("linux", "amd64")).findFirst()
                .or(() -> index.manifests().stream().filter(p -> p.is("linux", "arm64")).findFirst())
                .or(() -> index.manifests().stream().filter(p -> !p.os().equals("unknown")).findFirst());
    }

    /** The platforms whose configs are read and compared: the preferred one, and arm64 beside amd64. */
    static List<Platform> toRead(Index index) {
        List<Platform> read = new ArrayList<>();
        preferred(index).ifPresent(read::add);
        if (!read.isEmpty() && read.get(0).is("linux", "amd64")) {
            index.manifests().stream().filter(p -> p.is("linux", "arm64")).findFirst().ifPresent(read::add);
        }
        return read;
    }

    private static String digest(JsonNode descriptor) throws RegistryException {
        String digest = text(descriptor, "digest");
        // It goes into a URL path: anything but a well-formed digest is refused.
        if (!ImageReference.DIGEST.matcher(digest).matches()) {
            throw new RegistryException(LookupFailure.INVALID_RESPONSE,
                    "manifest has an invalid digest \"" + digest + "\"");
        }
        return digest;
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.asString() : "";
    }
}
