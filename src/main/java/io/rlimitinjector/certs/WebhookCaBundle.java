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
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The {@code caBundle} of the webhook's own MutatingWebhookConfiguration. A replica acting on an older read of the
 * Secret must never take away a CA another replica's certificate already depends on, nor keep every CA it ever saw.
 */
public final class WebhookCaBundle {
    private static final int ATTEMPTS = 5;
    /** A stale resourceVersion: 409 from an update, 422 from a JSON patch whose test operation failed. */
    private static final Set<Integer> CONFLICTS = Set.of(409, 422);

    private static final Comparator<X509Certificate> NEWEST_LAST =
            Comparator.comparing(X509Certificate::getNotBefore).thenComparing(X509Certificate::getSerialNumber);

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

    /**
     * The wanted CAs and, of those trusted now but no longer wanted, only the newest still valid: it may sign the
     * certificate of a replica that has not yet read the Secret or file again. Older ones can verify nothing a
     * replica serves, so a Secret recreated again and again does not grow the bundle. Newest first, so replicas with
     * different reads agree on one order and do not patch back and forth.
     */
    static String merged(String currentPem, List<X509Certificate> authorities, Instant now)
            throws IOException, GeneralSecurityException {
        Set<X509Certificate> kept = new LinkedHashSet<>(authorities);
        PemIdentity.certificates(currentPem).stream()
                .filter(certificate -> !kept.contains(certificate) && certificate.getNotAfter().toInstant().isAfter(now))
                .max(NEWEST_LAST)
                .ifPresent(kept::add);
        return CertificateAuthority.pemAll(kept.stream().sorted(NEWEST_LAST.reversed()).toList());
    }

    private static String decode(String base64) {
        return base64 == null ? "" : new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII);
    }
}
