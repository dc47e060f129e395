package io.rlimitinjector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import org.junit.jupiter.api.Test;

class KubernetesConnectionTest {
    @Test
    void everyFlagGetsTheSameClient() {
        try (KubernetesConnection kubernetes = new KubernetesConnection()) {
            KubernetesClient first = kubernetes.get();
            assertThat(kubernetes.get()).isSameAs(first);
        }
    }
}
