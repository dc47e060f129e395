package io.rlimitinjector.registry;

import io.rlimitinjector.cache.BoundedCache;
import io.rlimitinjector.mutation.ImageConfig;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads an image's config over the OCI distribution API: tag or digest to manifest, index to platform manifests,
 * manifest to config blob. Mirrors are tried before the registry itself. Everything named by digest is verified, and
 * cached for ever under the host, repository and credentials that read it, so a tag whose cache entry expired costs
 * one request while it points at the same content.
 */
final class RegistryClient {
    private static final String DOCKER_HUB_API = "registry-1.docker.io";

    private final RegistryHttp http;
    private final RegistrySettings settings;
    /** Config by {@link RegistrySession#contentKey} of a manifest or config digest: content addressed, never stale. */
    private final BoundedCache<String, ImageConfig> byDigest;

    RegistryClient(RegistrySettings settings, AddressPolicy policy) throws GeneralSecurityException, IOException {
        this.http = new RegistryHttp(settings, policy);
        this.settings = settings;
        this.byDigest = new BoundedCache<>(settings.cacheSize() * 2);
    }

    /** @param deadline {@link System#nanoTime()} by which it must be done */
    ImageConfig fetch(ImageReference image, List<RegistryCredential> credentials, long deadline)
            throws RegistryException {
        List<String> failures = new ArrayList<>();
        String mirror = settings.mirrors().get(image.registry());
        if (mirror != null) {
            try {
                return fetch(new RegistrySession(http, mirror, mirror, image.repository(), credentials, deadline), image);
            } catch (RegistryException e) {
                failures.add("mirror: " + e.getMessage());
            }
        }
        String host = image.registry().equals(ImageReference.DOCKER_HUB) ? DOCKER_HUB_API : image.registry();
        try {
            return fetch(new RegistrySession(http, host, image.registry(), image.repository(), credentials, deadline),
                    image);
        } catch (RegistryException e) {
            failures.add(e.getMessage());
            throw new RegistryException(e.failure(), String.join("; ", failures));
        }
    }

    private ImageConfig fetch(RegistrySession session, ImageReference image) throws RegistryException {
        RegistryHttp.Response response = session.get("manifests/" + image.manifestReference(), Manifest.ACCEPT);
        if (image.isPinned()) {
            verify(image.digest(), response.body(), "manifest");
        }
        Manifest manifest = Manifest.parse(response.body());
        if (manifest instanceof Manifest.Image single) {
            return config(session, single);
        }
        Manifest.Index index = (Manifest.Index) manifest;
        List<Manifest.Platform> platforms = Manifest.toRead(index);
        if (platforms.isEmpty()) {
            throw new RegistryException(LookupFailure.UNSUPPORTED, "image index of " + image
                    + " names no usable platform");
        }
        List<ImageConfig> configs = new ArrayList<>();
        for (Manifest.Platform platform : platforms) {
            configs.add(platformConfig(session, platform));
        }
        return withPlatformWarning(platforms, configs);
    }

    private ImageConfig platformConfig(RegistrySession session, Manifest.Platform platform) throws RegistryException {
        String key = session.contentKey(platform.digest());
        ImageConfig cached = byDigest.get(key);
        if (cached != null) {
            return cached;
        }
        byte[] body = session.get("manifests/" + platform.digest(), Manifest.ACCEPT).body();
        verify(platform.digest(), body, "manifest");
        if (!(Manifest.parse(body) instanceof Manifest.Image single)) {
            throw new RegistryException(LookupFailure.UNSUPPORTED,
                    "image index entry " + platform + " is itself an index, which is not supported");
        }
        ImageConfig config = config(session, single);
        byDigest.put(key, config);
        return config;
    }

    private ImageConfig config(RegistrySession session, Manifest.Image manifest) throws RegistryException {
        String key = session.contentKey(manifest.configDigest());
        ImageConfig cached = byDigest.get(key);
        if (cached != null) {
            return cached;
        }
        byte[] body = session.get("blobs/" + manifest.configDigest(), null).body();
        verify(manifest.configDigest(), body, "image config");
        ImageConfig config = ConfigBlob.parse(body);
        byDigest.put(key, config);
        return config;
    }

    /** The first platform's config, with a warning when another platform would run something else. */
    private static ImageConfig withPlatformWarning(List<Manifest.Platform> platforms, List<ImageConfig> configs) {
        ImageConfig chosen = configs.get(0);
        List<String> warnings = new ArrayList<>();
        for (int i = 1; i < configs.size(); i++) {
            ImageConfig other = configs.get(i);
            if (!other.entrypoint().equals(chosen.entrypoint()) || !other.cmd().equals(chosen.cmd())) {
                warnings.add("image ENTRYPOINT/CMD differ between platforms: " + platforms.get(0) + " has "
                        + chosen.entrypoint() + " " + chosen.cmd() + ", " + platforms.get(i) + " has "
                        + other.entrypoint() + " " + other.cmd() + "; wrapped as on " + platforms.get(0));
            }
        }
        return new ImageConfig(chosen.entrypoint(), chosen.cmd(), chosen.env(), warnings);
    }

    /** A registry or mirror that sends other bytes than the digest names is not believed. */
    private static void verify(String digest, byte[] body, String what) throws RegistryException {
        if (!Documents.matches(digest, body)) {
            throw new RegistryException(LookupFailure.INVALID_RESPONSE, what + " does not match its digest " + digest);
        }
    }
}
