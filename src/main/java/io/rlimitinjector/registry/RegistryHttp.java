package io.rlimitinjector.registry;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * GET requests to registries and token servers, each within the lookup's deadline, each to a place the {@link
 * AddressPolicy} allows. Redirects are followed here, not by the JDK, so every hop passes the policy (which refuses
 * plain http unless the target is listed insecure) and credentials never leave the scheme and host they were meant
 * for (blob storage behind a redirect refuses them anyway).
 */
final class RegistryHttp {
    /** Manifests and configs are a few KiB; more is a broken or hostile server. */
    static final int MAX_BODY_BYTES = 4 * 1024 * 1024;
    private static final int MAX_REDIRECTS = 5;

    private final HttpClient verified;
    private final HttpClient unverified;
    private final AddressPolicy policy;
    /** Insecure hosts found to speak plain HTTP, so later lookups skip the failed TLS attempt. */
    private final Set<String> plainHttp = ConcurrentHashMap.newKeySet();

    RegistryHttp(RegistrySettings settings, AddressPolicy policy) throws GeneralSecurityException, IOException {
        this.verified = client(TrustedTls.verifying(settings.caBundle()));
        this.unverified = settings.insecureHosts().isEmpty() ? verified : client(TrustedTls.unverified());
        this.policy = policy;
        // "http://host" says plain HTTP outright: not every server answers a TLS hello, so a fallback could hang.
        settings.insecureHosts().stream().filter(host -> host.startsWith("http://"))
                .forEach(host -> plainHttp.add(host.substring("http://".length())));
    }

    private static HttpClient client(SSLContext tls) {
        return HttpClient.newBuilder()
                .sslContext(tls)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    record Response(int status, byte[] body, Map<String, List<String>> headers) {
        Optional<String> header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst();
        }

        boolean isSuccess() {
            return status >= 200 && status < 300;
        }
    }

    /** The base URI of a registry host: https, or http for an insecure host that turned out to speak only that. */
    URI base(String host) {
        return URI.create((plainHttp.contains(host) ? "http" : "https") + "://" + host);
    }

    /**
     * @param authorization value of the Authorization header, or null; sent only with the scheme and host of
     *     {@code uri}, never after a redirect elsewhere
     * @param deadline {@link System#nanoTime()} by which the answer must be in
     */
    Response get(URI uri, String accept, String authorization, long deadline) throws RegistryException {
        URI target = uri;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            policy.check(target);
            boolean sameOrigin = target.getScheme().equalsIgnoreCase(uri.getScheme())
                    && AddressPolicy.hostPort(target).equals(AddressPolicy.hostPort(uri));
            Response response = send(target, accept, sameOrigin ? authorization : null, deadline);
            Optional<String> location = response.header("Location");
            if (response.status() / 100 != 3 || location.isEmpty()) {
                return response;
            }
            try {
                target = target.resolve(location.get());
            } catch (IllegalArgumentException e) {
                throw new RegistryException(LookupFailure.INVALID_RESPONSE,
                        AddressPolicy.hostPort(target) + " redirected to an invalid URL");
            }
        }
        throw new RegistryException(LookupFailure.INVALID_RESPONSE, "too many redirects from " + uri);
    }

    private Response send(URI uri, String accept, String authorization, long deadline) throws RegistryException {
        String host = AddressPolicy.hostPort(uri);
        boolean insecure = policy.isInsecure(host);
        try {
            return once(uri, accept, authorization, deadline, insecure);
        } catch (SSLException e) {
            if (insecure && uri.getScheme().equals("https")) {
                // Insecure means "plain HTTP or unverified TLS": TLS failed, so this host speaks plain HTTP.
                plainHttp.add(host);
                return send(URI.create("http" + uri.toString().substring("https".length())), accept, authorization,
                        deadline);
            }
            throw new RegistryException(LookupFailure.UNREACHABLE, "TLS with " + host + " failed (" + e.getMessage()
                    + "); trust its CA with --registry-ca-file, or list it in --insecure-registries");
        } catch (HttpTimeoutException e) {
            throw new RegistryException(LookupFailure.OVER_BUDGET, host + " did not answer in time");
        } catch (ConnectException e) {
            throw new RegistryException(LookupFailure.UNREACHABLE, "cannot connect to " + host);
        } catch (IOException e) {
            throw new RegistryException(LookupFailure.UNREACHABLE, "request to " + host + " failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException(LookupFailure.OVER_BUDGET, "lookup interrupted");
        }
    }

    private Response once(URI uri, String accept, String authorization, long deadline, boolean insecure)
            throws IOException, InterruptedException, RegistryException {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            throw new HttpTimeoutException("budget spent");
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().timeout(Duration.ofNanos(remaining))
                .header("User-Agent", "rlimit-injector");
        if (accept != null) {
            request.header("Accept", accept);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        HttpClient client = insecure ? unverified : verified;
        HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = response.body()) {
            byte[] bytes = body.readNBytes(MAX_BODY_BYTES + 1);
            if (bytes.length > MAX_BODY_BYTES) {
                throw new RegistryException(LookupFailure.INVALID_RESPONSE,
                        uri.getHost() + " sent more than " + MAX_BODY_BYTES + " bytes");
            }
            return new Response(response.statusCode(), bytes, response.headers().map());
        }
    }
}
