package io.rlimitinjector.check;

import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;

/**
 * Everything the check read from the cluster, so that deciding needs no cluster.
 *
 * @param namespaceLabels the namespace's labels, or null when it does not exist
 * @param pod the pod to explain, or null to explain the namespace alone
 * @param running whether the pod was read from the cluster (it has a status) rather than from a manifest
 * @param webhooks our webhooks, from every MutatingWebhookConfiguration that has one
 * @param dryRun the server-side dry run of the pod, or null when none was made
 */
public record ClusterView(String namespace, Map<String, String> namespaceLabels, Pod pod, boolean running,
        List<WebhookState> webhooks, DryRun dryRun) {
    public ClusterView {
        webhooks = List.copyOf(webhooks);
    }
}
