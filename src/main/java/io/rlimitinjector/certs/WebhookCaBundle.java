package io.rlimitinjector.certs;

import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.tls.PemIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code caBundle} of the webhook's own MutatingWebhookConfiguration. CAs are only ever added, and removed once
 * expired: a replica acting on an older read of the Secret must never take away a CA another replica's certificate
 * already depends on.
 */
public final class WebhookCaBundle {
    private static final int ATTEMPTS = 5;
    /** A stale resourceVersion: 409 from an update, 422 from a JSON patch whose test operation failed. */
    private static final Set<Integer> CONFLICTS = Set.of(409, 422);

    private final KubernetesClient client;
    private final String configurationName;

    public WebhookCaBundle(KubernetesClient client, String configurationName) {
        this.client = client;
        this.configurationName = configurationName;
    }

    /**
     * Makes every webhook of the configuration trust {@code authorities}; returns whether it had to patch. Replicas
     * patching at once each retry on the conflict, against the configuration as the winner left it.
     */
    public boolean trust(List<X509Certificate> authorities, Instant now) throws IOException, GeneralSecurityException {
        for (int attempt = 1; ; attempt++) {
            try {
                return patch(authorities, now);
            } catch (KubernetesClientException e) {
                if (attempt == ATTEMPTS || !CONFLICTS.contains(e.getCode())) {
                    throw e;
                }
            }
        }
    }

    private boolean patch(List<X509Certificate> authorities, Instant now) throws IOException, GeneralSecurityException {
        MutatingWebhookConfiguration configuration = client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName(configurationName).get();
        if (configuration == null) {
            throw new IOException("MutatingWebhookConfiguration " + configurationName + " not found");
        }
        List<Map<String, Object>> patch = new ArrayList<>();
        List<MutatingWebhook> webhooks = configuration.getWebhooks();
        for (int i = 0; i < webhooks.size(); i++) {
            String current = decode(webhooks.get(i).getClientConfig().getCaBundle());
            String wanted = merged(current, authorities, now);
            if (!wanted.equals(current)) {
                patch.add(Map.of("op", "add", "path", "/webhooks/" + i + "/clientConfig/caBundle",
                        "value", Base64.getEncoder().encodeToString(wanted.getBytes(StandardCharsets.US_ASCII))));
            }
        }
        if (patch.isEmpty()) {
            return false;
        }
        // The test pins the list we computed indices for: a concurrent edit fails the patch, the next sync retries.
        patch.add(0, Map.of("op", "test", "path", "/metadata/resourceVersion",
                "value", configuration.getMetadata().getResourceVersion()));
        client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(configurationName)
                .patch(PatchContext.of(PatchType.JSON), Json.MAPPER.writeValueAsString(patch));
        return true;
    }

    /** The CAs already trusted and still valid, then the wanted ones not among them; as PEM. */
    static String merged(String currentPem, List<X509Certificate> authorities, Instant now)
            throws IOException, GeneralSecurityException {
        Set<X509Certificate> kept = new LinkedHashSet<>();
        for (X509Certificate certificate : PemIdentity.certificates(currentPem)) {
            if (certificate.getNotAfter().toInstant().isAfter(now)) {
                kept.add(certificate);
            }
        }
        kept.addAll(authorities);
        return CertificateAuthority.pemAll(kept);
    }

    private static String decode(String base64) {
        return base64 == null ? "" : new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
    }
}
