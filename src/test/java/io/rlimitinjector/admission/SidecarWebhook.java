package io.rlimitinjector.admission;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.rlimitinjector.certs.CertificateAuthority;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.testing.Reviews;
import io.rlimitinjector.testing.TestTls;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Another team's mutating webhook, as a service mesh injector would be: it adds a container named {@code added}
 * (with a memory limit) unless the pod has one. Served over HTTPS by the JDK's server, so it shares nothing with ours.
 */
final class SidecarWebhook implements AutoCloseable {
    static final String CONTAINER = "added";

    private final CertificateAuthority ca;
    private final HttpsServer server;

    private SidecarWebhook(CertificateAuthority ca, HttpsServer server) {
        this.ca = ca;
        this.server = server;
    }

    static SidecarWebhook start() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("sidecar-ca", Duration.ofHours(1));
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(TestTls.serving(TestTls.localPair(ca))));
        server.createContext("/mutate", SidecarWebhook::mutate);
        server.start();
        return new SidecarWebhook(ca, server);
    }

    URI mutateUrl() {
        return URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/mutate");
    }

    String caBundle() {
        return Base64.getEncoder().encodeToString(ca.certificatePem().getBytes(StandardCharsets.US_ASCII));
    }

    private static void mutate(HttpExchange exchange) throws IOException {
        JsonNode request = Json.MAPPER.readTree(exchange.getRequestBody().readAllBytes()).get("request");
        ObjectNode review = Json.MAPPER.createObjectNode().put("apiVersion", "admission.k8s.io/v1")
                .put("kind", "AdmissionReview");
        ObjectNode response = review.putObject("response").put("uid", request.get("uid").asString()).put("allowed", true);
        boolean present = false;
        for (JsonNode container : request.at("/object/spec/containers")) {
            present |= CONTAINER.equals(container.path("name").asString());
        }
        if (!present) {
            ArrayNode patch = Json.MAPPER.createArrayNode();
            patch.addObject().put("op", "add").put("path", "/spec/containers/-").set("value", Reviews.pod("""
                    name: added
                    image: registry.test/added:1
                    command: ["added", "--serve"]
                    resources:
                      limits:
                        memory: 64Mi
                    """));
            response.put("patchType", "JSONPatch")
                    .put("patch", Base64.getEncoder().encodeToString(Json.MAPPER.writeValueAsBytes(patch)));
        }
        byte[] body = Json.MAPPER.writeValueAsBytes(review);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
