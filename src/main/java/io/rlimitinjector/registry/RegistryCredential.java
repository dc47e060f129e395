package io.rlimitinjector.registry;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * A user name and password for the registries a docker config key names: {@code registry.example.com},
 * {@code registry.example.com/team}, {@code *.example.com}, {@code registry.*.example.com:5000} or Docker Hub's
 * {@code https://index.docker.io/v1/}.
 *
 * @param host normalised host and port, whose labels may hold {@code *} globs
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

    /**
     * Whether it applies to a repository on this host, as the kubelet matches keys ({@code URLsMatch} in
     * kubernetes/pkg/credentialprovider/keyring.go): the ports are equal (none matches none only), the host names have
     * as many dot-separated labels, and each label matches its glob, where {@code *} stands for any run of
     * characters within one label: {@code *.example.com} matches {@code a.example.com}, not {@code a.b.example.com}.
     * The repository prefix is matched on whole path segments, stricter than the kubelet's plain string prefix.
     */
    boolean matches(String registryHost, String repository) {
        return hostMatches(registryHost.toLowerCase(Locale.ROOT))
                && (path.isEmpty() || repository.equals(path) || repository.startsWith(path + "/"));
    }

    private boolean hostMatches(String wanted) {
        int keyPort = host.lastIndexOf(':');
        int wantedPort = wanted.lastIndexOf(':');
        // A colon inside an IPv6 literal is no port: one after the closing bracket is.
        keyPort = keyPort > host.lastIndexOf(']') ? keyPort : host.length();
        wantedPort = wantedPort > wanted.lastIndexOf(']') ? wantedPort : wanted.length();
        if (!host.substring(keyPort).equals(wanted.substring(wantedPort))) {
            return false;
        }
        String[] globs = host.substring(0, keyPort).split("\\.", -1);
        String[] labels = wanted.substring(0, wantedPort).split("\\.", -1);
        if (globs.length != labels.length) {
            return false;
        }
        for (int i = 0; i < globs.length; i++) {
            if (!labelMatches(globs[i], labels[i])) {
                return false;
            }
        }
        return true;
    }

    /** A glob of literal characters and {@code *} against one label. */
    private static boolean labelMatches(String glob, String label) {
        String[] literals = glob.split("\\*", -1);
        if (literals.length == 1) {
            return glob.equals(label);
        }
        if (!label.startsWith(literals[0])) {
            return false;
        }
        int at = literals[0].length();
        for (int i = 1; i < literals.length - 1; i++) {
            int found = label.indexOf(literals[i], at);
            if (found < 0) {
                return false;
            }
            at = found + literals[i].length();
        }
        String last = literals[literals.length - 1];
        return label.length() - last.length() >= at && label.endsWith(last);
    }

    /** Higher is more specific: an exact host before a wildcard, a longer repository prefix before a shorter one. */
    int specificity() {
        return (host.contains("*") ? 0 : 1_000_000) + path.length();
    }

    /**
     * Tells sets of credentials apart without holding their secrets: empty for none, else {@code #} and a hash of
     * every host, path, user name and password in order.
     */
    static String fingerprint(List<RegistryCredential> credentials) {
        if (credentials.isEmpty()) {
            return "";
        }
        StringBuilder all = new StringBuilder();
        credentials.forEach(c -> all.append(c.host()).append('/').append(c.path()).append('\n')
                .append(c.username()).append('\n').append(c.password()).append('\n'));
        return "#" + Documents.sha256(all.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return username + "@" + host + (path.isEmpty() ? "" : "/" + path) + " (" + source + ")";
    }
}
