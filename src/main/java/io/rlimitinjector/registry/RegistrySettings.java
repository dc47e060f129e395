package io.rlimitinjector.registry;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * How image configs are looked up.
 *
 * @param budget the longest one admission waits for a lookup; well under the webhook's own timeout
 * @param mirrors registry host to a mirror host tried first, as {@code docker.io=mirror.local:5000}
 * @param insecureHosts hosts reached over TLS without verification, falling back to plain HTTP, or, written
 *     {@code http://host}, over plain HTTP at once; no other host is. They may have any address.
 * @param privateHosts hosts reached over verified TLS whatever their address, such as an in-cluster registry; other
 *     hosts that are neither insecure nor mirrors must have public addresses only
 * @param caBundle PEM file of extra certificate authorities to trust, or null
 * @param cacheTtl how long a tag's config is reused; digests are cached for ever
 * @param cacheSize most images remembered
 */
public record RegistrySettings(Duration budget, Map<String, String> mirrors, Set<String> insecureHosts,
        Set<String> privateHosts, Path caBundle, Duration cacheTtl, int cacheSize) {
    /** A failed lookup is remembered this long, so a registry that is down does not cost every admission the budget. */
    public static final Duration FAILURE_TTL = Duration.ofSeconds(10);
    /**
     * Lookups running at once, each a thread blocked on registry I/O. Enough for a registry that stalls every lookup
     * for the whole budget at about ten new images a second.
     */
    public static final int MAX_LOOKUP_THREADS = 32;
    /** Lookups waiting for a thread: a few hundred bytes each, and those past their budget leave at once. */
    public static final int MAX_QUEUED_LOOKUPS = 1000;

    public RegistrySettings {
        mirrors = Map.copyOf(mirrors);
        insecureHosts = Set.copyOf(insecureHosts);
        privateHosts = Set.copyOf(privateHosts);
        if (budget.isNegative() || budget.isZero()) {
            throw new IllegalArgumentException("registry budget must be positive");
        }
        if (cacheSize < 1) {
            throw new IllegalArgumentException("registry cache size must be at least 1");
        }
    }

    public static RegistrySettings defaults() {
        return new RegistrySettings(Duration.ofSeconds(3), Map.of(), Set.of(), Set.of(), null, Duration.ofMinutes(5),
                1000);
    }

    /** The same, with {@code host} reached over verified TLS whatever its address: for a registry the operator names. */
    public RegistrySettings listing(String host) {
        Set<String> hosts = new HashSet<>(privateHosts);
        hosts.add(host);
        return new RegistrySettings(budget, mirrors, insecureHosts, hosts, caBundle, cacheTtl, cacheSize);
    }

    /** Hosts the operator named, which may have any address: mirrors and private registries (insecure ones apart). */
    Set<String> listedHosts() {
        Set<String> listed = new HashSet<>(privateHosts);
        listed.addAll(mirrors.values());
        return listed;
    }
}
