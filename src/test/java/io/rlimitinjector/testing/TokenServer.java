package io.rlimitinjector.testing;

import com.sun.net.httpserver.HttpServer;
import io.rlimitinjector.certs.CertificateAuthority;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.tls.PemIdentity;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The token server of a registry configured with {@code auth: token}: the Docker token protocol
 * ({@code GET realm?service=..&scope=repository:NAME:ACTIONS}), answering anyone with a JWT granting the scope,
 * signed (ES256, certificate in {@code x5c}) by a key the registry trusts through its {@code rootcertbundle}.
 */
public final class TokenServer implements AutoCloseable {
    public static final String SERVICE = "test-registry";
    public static final String ISSUER = "test-token-issuer";

    private final HttpServer server;
    private final CertificateAuthority ca;
    private final PemIdentity signer;
    private final List<String> queries = new CopyOnWriteArrayList<>();

    private TokenServer(HttpServer server, CertificateAuthority ca, PemIdentity signer) {
        this.server = server;
        this.ca = ca;
        this.signer = signer;
    }

    public static TokenServer start() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("token-ca", Duration.ofHours(2));
        CertificateAuthority.IssuedCertificate pair = ca.issue(List.of("token-signer"), Duration.ofHours(2));
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        TokenServer tokens = new TokenServer(server, ca, PemIdentity.parse(pair.certificatePem(), pair.keyPem()));
        server.createContext("/token", exchange -> {
            String query = exchange.getRequestURI().getRawQuery();
            tokens.queries.add(query == null ? "" : query);
            byte[] body;
            try {
                String token = tokens.token(parameters(query).getOrDefault("scope", ""));
                body = Json.MAPPER.writeValueAsBytes(Map.of("token", token, "expires_in", 300));
            } catch (GeneralSecurityException e) {
                throw new IOException(e);
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return tokens;
    }

    public String realm() {
        return "http://" + host() + "/token";
    }

    /** {@code 127.0.0.1:PORT}, which a client must list as insecure to fetch tokens from this plain HTTP realm. */
    public String host() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** The CA whose certificate the registry's {@code rootcertbundle} holds. */
    public String rootCertificatePem() {
        return ca.certificatePem();
    }

    /** Raw query strings of the token requests so far. */
    public List<String> queries() {
        return List.copyOf(queries);
    }

    /** A token for a scope such as {@code repository:team/app:pull,push}. */
    public String token(String scope) throws GeneralSecurityException {
        ObjectNode header = Json.MAPPER.createObjectNode().put("typ", "JWT").put("alg", "ES256");
        header.putArray("x5c").add(Base64.getEncoder().encodeToString(signer.chain().get(0).getEncoded()));
        long now = Instant.now().getEpochSecond();
        ObjectNode claims = Json.MAPPER.createObjectNode().put("iss", ISSUER).put("sub", "").put("aud", SERVICE)
                .put("exp", now + 300).put("nbf", now - 10).put("iat", now).put("jti", UUID.randomUUID().toString());
        ArrayNode access = claims.putArray("access");
        String[] parts = scope.split(":");
        if (parts.length == 3) {
            ObjectNode grant = access.addObject().put("type", parts[0]).put("name", parts[1]);
            List.of(parts[2].split(",")).forEach(grant.putArray("actions")::add);
        }
        String signingInput = base64Url(Json.MAPPER.writeValueAsBytes(header)) + "."
                + base64Url(Json.MAPPER.writeValueAsBytes(claims));
        // JWS wants the raw R||S form of the ECDSA signature, not Java's default DER.
        Signature es256 = Signature.getInstance("SHA256withECDSAinP1363Format");
        es256.initSign(signer.key());
        es256.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + base64Url(es256.sign());
    }

    private static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static Map<String, String> parameters(String query) {
        Map<String, String> parameters = new HashMap<>();
        if (query != null) {
            for (String pair : query.split("&")) {
                String[] kv = pair.split("=", 2);
                parameters.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                        kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
        }
        return parameters;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
