package io.rlimitinjector.check;

import io.fabric8.kubernetes.api.model.LabelSelector;

/**
 * One of our webhooks as the cluster has it now.
 *
 * @param configuration the MutatingWebhookConfiguration's name
 * @param name the webhook's name within it
 * @param endpoint {@code service NAMESPACE/NAME} or the URL the API server calls
 * @param readyEndpoints the Service's ready endpoints, or null when not known: a URL webhook, or EndpointSlices the
 *     caller may not list
 * @param certificate whether the caBundle verifies the serving certificate
 */
public record WebhookState(String configuration, String name, LabelSelector namespaceSelector,
        LabelSelector objectSelector, String failurePolicy, String endpoint, Integer readyEndpoints,
        CertificateCheck certificate) {
}
