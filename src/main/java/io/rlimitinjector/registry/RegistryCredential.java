package io.rlimitinjector.registry;

import java.util.Locale;

/**
 * A user name and password for the registries a docker config key names: {@code registry.example.com},
 * {@code registry.example.com/team}, {@code *.example.com} or Docker Hub's {@code https://index.docker.io/v1/}.
 *
 * @param host normalised host, possibly starting with {@code *.}
 * @param path repository prefix the key is limited to, empty for the whole registry
 * @param source where it came from, for messages: {@code secret ns/name}
 */
record RegistryCredential(String host, String path, String username, String password, String source) {

    static RegistryCredential of(String key, String username, String password, String source) {
        String location = key.trim().toLowerCase(Locale.ROOT).replaceFirst("^[a-z]+://", "");
        location = location.replaceAll("/+$", "").replaceFirst("/v[12]$", "");
        int slash = location.indexOf('/');
        String host = slash < 0 ? location : location.substring(0, slash);
        String path = slash < 0 ? "" : location.substring(slash + 1);
        if (host.equals("index.docker.io") || host.equals("registry-1.docker.io")) {
            host = ImageReference.DOCKER_HUB;
        }
        return new RegistryCredential(host, path, username, password, source);
    }

    /** Whether it applies to a repository on this host, as the kubelet matches keys. */
    boolean matches(String registryHost, String repository) {
        String wanted = registryHost.toLowerCase(Locale.ROOT);
        boolean hostMatches = host.startsWith("*.")
                ? wanted.endsWith(host.substring(1)) && wanted.length() > host.length() - 1
                : host.equals(wanted);
        return hostMatches && (path.isEmpty() || repository.equals(path) || repository.startsWith(path + "/"));
    }

    /** Higher is more specific: an exact host before a wildcard, a longer repository prefix before a shorter one. */
    int specificity() {
        return (host.startsWith("*.") ? 0 : 1_000_000) + path.length();
    }

    @Override
    public String toString() {
        return username + "@" + host + (path.isEmpty() ? "" : "/" + path) + " (" + source + ")";
    }
}
