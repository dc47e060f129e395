package io.rlimitinjector.registry;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where registry requests may go, decided before any socket opens. A host the operator lists (insecure, a mirror,
 * private) is reached whatever it resolves to; http only if listed insecure. Any other host only over https, and
 * only when every address it resolves to is public: not loopback, private, link-local (cloud metadata), shared
 * (carrier-grade NAT), multicast, reserved or documentation space. Otherwise an image reference, a redirect or a
 * token realm chosen by a pod author would make the webhook a proxy into the cluster's own network.
 */
final class AddressPolicy {
    /** Resolves a host name as the HTTP client will: every address, or UnknownHostException. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private static final List<Block> NON_PUBLIC_V4 = List.of(
            Block.of("0.0.0.0", 8), // "this network", with the unspecified address
            Block.of("10.0.0.0", 8),
            Block.of("100.64.0.0", 10), // shared address space (carrier-grade NAT)
            Block.of("127.0.0.0", 8),
            Block.of("169.254.0.0", 16), // link-local, with cloud metadata at 169.254.169.254
            Block.of("172.16.0.0", 12),
            Block.of("192.0.0.0", 24), // IETF protocol assignments
            Block.of("192.0.2.0", 24),
            Block.of("192.88.99.0", 24), // 6to4 relays
            Block.of("192.168.0.0", 16),
            Block.of("198.18.0.0", 15), // benchmarking
            Block.of("198.51.100.0", 24),
            Block.of("203.0.113.0", 24),
            Block.of("224.0.0.0", 4), // multicast
            Block.of("240.0.0.0", 4)); // reserved, with broadcast

    private final Set<String> listed;
    private final Set<String> insecure;
    private final Resolver resolver;

    /**
     * @param listed hosts reached whatever they resolve to, as {@code host[:port]}
     * @param insecure hosts that may also be reached over plain http; they count as listed
     */
    AddressPolicy(Set<String> listed, Set<String> insecure, Resolver resolver) {
        Set<String> all = new HashSet<>(listed);
        all.addAll(insecure);
        this.listed = normalised(all);
        this.insecure = normalised(insecure);
        this.resolver = resolver;
    }

    /** The policy the settings' listed and insecure hosts make, resolving names through the JVM. */
    static AddressPolicy of(RegistrySettings settings) {
        return new AddressPolicy(settings.listedHosts(), settings.insecureHosts(), InetAddress::getAllByName);
    }

    /**
     * Throws unless a request to {@code uri} is allowed.
     *
     * <p>The JDK's HttpClient has no resolver hook, so it resolves the host again as it connects. Both resolutions
     * go through the JVM's address cache, which keeps an answer 30 s by default ({@code networkaddress.cache.ttl})
     * whatever the DNS TTL says, so the client connects to the addresses checked here unless the cached answer
     * expires in the moment between the two. That moment is the DNS rebinding window that remains.
     */
    void check(URI uri) throws RegistryException {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || !(scheme.equals("https") || scheme.equals("http"))) {
            throw new RegistryException(LookupFailure.INVALID_RESPONSE, "not an http(s) URL: " + uri);
        }
        String hostPort = hostPort(uri);
        if (scheme.equals("http") && !insecure.contains(hostPort)) {
            throw new RegistryException(LookupFailure.REFUSED_ADDRESS,
                    "plain http to " + hostPort + ", which is not in --insecure-registries");
        }
        if (listed.contains(hostPort)) {
            return;
        }
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(uri.getHost());
        } catch (UnknownHostException e) {
            throw new RegistryException(LookupFailure.UNREACHABLE, "cannot resolve " + uri.getHost());
        }
        for (InetAddress address : addresses) {
            if (!isPublic(address)) {
                throw new RegistryException(LookupFailure.REFUSED_ADDRESS, hostPort + " resolves to "
                        + address.getHostAddress() + ", which is not public; list the host in --private-registries "
                        + "(or --insecure-registries) to allow it");
            }
        }
    }

    /** Whether a request may use plain http, or unverified TLS, with this host. */
    boolean isInsecure(String hostPort) {
        return insecure.contains(hostPort);
    }

    /** {@code host[:port]} as image references write it: lower case, IPv6 in brackets, a port only if given. */
    static String hostPort(URI uri) {
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        return uri.getPort() == -1 ? host : host + ":" + uri.getPort();
    }

    /** Whether the address is globally reachable unicast, by the IANA special-purpose registries. */
    static boolean isPublic(InetAddress address) {
        byte[] bytes = address.getAddress();
        return bytes.length == 4 ? isPublicV4(bytes, 0) : isPublicV6(bytes);
    }

    private static boolean isPublicV4(byte[] bytes, int offset) {
        int address = ((bytes[offset] & 0xff) << 24) | ((bytes[offset + 1] & 0xff) << 16)
                | ((bytes[offset + 2] & 0xff) << 8) | (bytes[offset + 3] & 0xff);
        return NON_PUBLIC_V4.stream().noneMatch(block -> block.contains(address));
    }

    private static boolean isPublicV6(byte[] bytes) {
        // Forms that carry an IPv4 address, which decides: mapped (::ffff:0:0/96), NAT64 (64:ff9b::/96), 6to4.
        if (zeros(bytes, 0, 10) && (bytes[10] & 0xff) == 0xff && (bytes[11] & 0xff) == 0xff) {
            return isPublicV4(bytes, 12);
        }
        if (bytes[0] == 0 && bytes[1] == 0x64 && (bytes[2] & 0xff) == 0xff && (bytes[3] & 0xff) == 0x9b
                && zeros(bytes, 4, 12)) {
            return isPublicV4(bytes, 12);
        }
        if (bytes[0] == 0x20 && bytes[1] == 0x02) {
            return isPublicV4(bytes, 2);
        }
        // Else global unicast 2000::/3 only: that leaves out loopback, unspecified, IPv4-compatible, unique local
        // (fc00::/7, with fd00:ec2::254), link-local (fe80::/10), site-local and multicast. Then less
        // documentation (2001:db8::/32) and Teredo (2001::/32), whose relay could reach anything.
        boolean globalUnicast = (bytes[0] & 0xe0) == 0x20;
        boolean documentation = bytes[0] == 0x20 && bytes[1] == 0x01 && (bytes[2] & 0xff) == 0x0d
                && (bytes[3] & 0xff) == 0xb8;
        boolean teredo = bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] == 0 && bytes[3] == 0;
        return globalUnicast && !documentation && !teredo;
    }

    private static boolean zeros(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static Set<String> normalised(Set<String> hosts) {
        return hosts.stream().map(host -> host.trim().toLowerCase(Locale.ROOT).replaceFirst("^https?://", "")
                .replaceFirst("/+$", "")).collect(Collectors.toUnmodifiableSet());
    }

    /** An IPv4 network. */
    private record Block(int network, int length) {
        static Block of(String dotted, int length) {
            int network = 0;
            for (String part : dotted.split("\\.")) {
                network = (network << 8) | Integer.parseInt(part);
            }
            return new Block(network, length);
        }

        boolean contains(int address) {
            return (address >>> (32 - length)) == (network >>> (32 - length));
        }
    }
}
