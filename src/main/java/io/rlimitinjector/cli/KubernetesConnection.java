package io.rlimitinjector.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.function.Supplier;

/**
 * The one API server client of a command, shared by every flag that needs one (the certificate sync, pull secrets,
 * Events), built when the first of them asks: most flag sets need none, and a client costs its own HTTP stack,
 * threads and about a second of start-up. In a pod it uses the service account; elsewhere, the kubeconfig.
 */
final class KubernetesConnection implements Supplier<KubernetesClient>, AutoCloseable {
    private KubernetesClient client;

    @Override
    public synchronized KubernetesClient get() {
        if (client == null) {
            client = new KubernetesClientBuilder().build();
        }
        return client;
    }

    @Override
    public synchronized void close() {
        if (client != null) {
            client.close();
        }
    }
}
