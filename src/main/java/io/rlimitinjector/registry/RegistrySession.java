package io.rlimitinjector.registry;

import io.rlimitinjector.json.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Requests to one repository on one registry host for one lookup. It answers a 401 the way the registry asks: a
 * bearer token from the realm it names (anonymous or with a credential), or basic auth, trying each matching
 * credential, most specific first, and keeps what worked for the lookup's later requests. Like the kubelet, it sends
 * a credential to whatever realm the registry names, but only where {@link RegistryHttp} goes: https (unless listed
 * insecure) to a public or listed host.
 */
final class RegistrySession {
    private final RegistryHttp http;
    private final String host;
    private final String repository;
    private final long deadline;
    /** What the answers depend on besides the request: host, repository and the credentials that may be used. */
    private final String origin;
    /** Credentials still to try; null stands for anonymous, which bearer realms may accept. */
    private final List<RegistryCredential> untried = new ArrayList<>();
    private final List<String> rejected = new ArrayList<>();
    private String authorization;
    /** Who {@link #authorization} speaks for, to name it if the registry refuses it. */
    private String current;
    private boolean anonymousTried;

    /** @param matchingHost the host credentials are matched against: {@code docker.io} for Docker Hub's API host */
    RegistrySession(RegistryHttp http, String host, String matchingHost, String repository,
            List<RegistryCredential> credentials, long deadline) {
        this.http = http;
        this.host = host;
        this.repository = repository;
        this.deadline = deadline;
        credentials.stream().filter(c -> c.matches(matchingHost, repository))
                .sorted(Comparator.comparingInt(RegistryCredential::specificity).reversed())
                .forEach(untried::add);
        this.origin = host + "/" + repository + RegistryCredential.fingerprint(untried);
    }

    /**
     * A cache key for content this session reads by digest. A registry can name any digest, another tenant's
     * included, so the digest alone must never answer: the same content is reused only from the same host and
     * repository with the same credentials.
     */
    String contentKey(String digest) {
        return origin + "@" + digest;
    }

    /** The body of {@code GET /v2/<repository>/<what>}; throws with a reason on anything but success. */
    RegistryHttp.Response get(String what, String accept) throws RegistryException {
        URI uri = http.base(host).resolve("/v2/" + repository + "/" + what);
        RegistryHttp.Response response = http.get(uri, accept, authorization, deadline);
        while (response.status() == 401) {
            if (!authorize(response.header("WWW-Authenticate").orElse(""))) {
                throw new RegistryException(LookupFailure.UNAUTHORIZED, "registry " + host + " refused access to "
                        + repository
                        + (rejected.isEmpty() ? " and no pull secret matches it"
                                : "; tried " + String.join(", ", rejected)));
            }
            response = http.get(uri, accept, authorization, deadline);
        }
        if (response.status() == 404) {
            throw new RegistryException(LookupFailure.NOT_FOUND, repository + "/" + what + " not found on " + host);
        }
        if (!response.isSuccess()) {
            throw new RegistryException(LookupFailure.INVALID_RESPONSE, "registry " + host + " answered HTTP "
                    + response.status() + " for " + repository + "/" + what);
        }
        return response;
    }

    /** Moves to the next way of authenticating the challenge allows; false when none is left. */
    private boolean authorize(String header) throws RegistryException {
        if (authorization != null) {
            rejected.add(current);
        }
        List<AuthChallenge> challenges = AuthChallenge.parse(header);
        Optional<AuthChallenge> bearer = challenges.stream().filter(c -> c.scheme().equals("bearer")).findFirst();
        if (bearer.isPresent() && bearer.get().param("realm") != null) {
            while (!untried.isEmpty() || !anonymousTried) {
                RegistryCredential credential = untried.isEmpty() ? null : untried.remove(0);
                anonymousTried |= credential == null;
                Optional<String> token = token(bearer.get(), credential);
                current = credential == null ? "anonymous token" : credential.toString();
                if (token.isPresent()) {
                    authorization = "Bearer " + token.get();
                    return true;
                }
                rejected.add(current);
            }
            return false;
        }
        if (challenges.stream().anyMatch(c -> c.scheme().equals("basic")) && !untried.isEmpty()) {
            RegistryCredential credential = untried.remove(0);
            current = credential.toString();
            authorization = basic(credential);
            return true;
        }
        return false;
    }

    private Optional<String> token(AuthChallenge challenge, RegistryCredential credential) throws RegistryException {
        String scope = challenge.param("scope") != null ? challenge.param("scope") : "repository:" + repository + ":pull";
        StringBuilder query = new StringBuilder();
        if (challenge.param("service") != null) {
            query.append("service=").append(encode(challenge.param("service"))).append('&');
        }
        query.append("scope=").append(encode(scope));
        URI realm;
        try {
            URI base = URI.create(challenge.param("realm"));
            if (base.getScheme() == null || base.getAuthority() == null) {
                throw new RegistryException(LookupFailure.INVALID_RESPONSE, "registry " + host
                        + " named an unusable token realm");
            }
            realm = URI.create(base + (base.getQuery() == null ? "?" : "&") + query);
        } catch (IllegalArgumentException e) {
            throw new RegistryException(LookupFailure.INVALID_RESPONSE, "registry " + host
                    + " named an unusable token realm");
        }
        RegistryHttp.Response response = http.get(realm, "application/json",
                credential == null ? null : basic(credential), deadline);
        if (response.status() == 401 || response.status() == 403) {
            return Optional.empty();
        }
        if (!response.isSuccess()) {
            throw new RegistryException(LookupFailure.INVALID_RESPONSE, "token server " + realm.getHost()
                    + " answered HTTP " + response.status());
        }
        try {
            JsonNode body = Json.MAPPER.readTree(response.body());
            String token = body.path("token").asString(body.path("access_token").asString(""));
            return token.isEmpty() ? Optional.empty() : Optional.of(token);
        } catch (JacksonException e) {
            throw new RegistryException(LookupFailure.INVALID_RESPONSE, "token server " + realm.getHost()
                    + " sent no valid JSON");
        }
    }

    private static String basic(RegistryCredential credential) {
        return "Basic " + Base64.getEncoder().encodeToString(
                (credential.username() + ":" + credential.password()).getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
