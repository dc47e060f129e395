package io.rlimitinjector.registry;

import java.util.regex.Pattern;

/**
 * An image reference as the kubelet reads it, normalised: {@code python} is {@code docker.io/library/python:latest}.
 *
 * @param registry registry host, with port if any; {@code docker.io} for Docker Hub
 * @param repository repository path inside the registry
 * @param tag tag, or null when only a digest is given
 * @param digest content digest, or null
 */
public record ImageReference(String registry, String repository, String tag, String digest) {
    public static final String DOCKER_HUB = "docker.io";
    private static final Pattern REPOSITORY = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    /** A host name, IPv4 or bracketed IPv6 literal, and port: nothing else may reach a URL's authority. */
    private static final Pattern REGISTRY = Pattern.compile(
            "(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*"
                    + "|\\[[A-Fa-f0-9:.]+])(?::[0-9]{1,5})?");
    private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
    /** The digests {@link Documents#matches} can verify; content named otherwise cannot be trusted. */
    static final Pattern DIGEST = Pattern.compile("sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}");

    /** @throws IllegalArgumentException with a message fit for a warning */
    public static ImageReference parse(String image) {
        String rest = image.trim();
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(digest).matches()) {
                throw new IllegalArgumentException("invalid digest \"" + digest + "\"");
            }
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw new IllegalArgumentException("invalid tag \"" + tag + "\"");
            }
        }
        String registry = DOCKER_HUB;
        int slash = rest.indexOf('/');
        if (slash > 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                if (!REGISTRY.matcher(first).matches()) {
                    throw new IllegalArgumentException("invalid registry host \"" + first + "\"");
                }
                registry = first.equals("index.docker.io") ? DOCKER_HUB : first;
                rest = rest.substring(slash + 1);
            }
        }
        if (registry.equals(DOCKER_HUB) && !rest.contains("/")) {
            rest = "library/" + rest;
        }
        if (!REPOSITORY.matcher(rest).matches()) {
            throw new IllegalArgumentException("invalid repository name \"" + rest + "\"");
        }
        return new ImageReference(registry, rest, tag == null && digest == null ? "latest" : tag, digest);
    }

    /** What goes after {@code /manifests/}: the digest when there is one, since it pins the content. */
    String manifestReference() {
        return digest != null ? digest : tag;
    }

    /** Content addressed: what it names can never change, so it may be cached for ever. */
    boolean isPinned() {
        return digest != null;
    }

    @Override
    public String toString() {
        return registry + "/" + repository + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }
}
