package io.rlimitinjector.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.Release;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.rlimitinjector.certs.CertificateSecret;
import io.rlimitinjector.certs.CertificateState;
import io.rlimitinjector.certs.RotationPlan;
import io.rlimitinjector.certs.SelfManagedCertificate;
import io.rlimitinjector.certs.ServingFiles;
import io.rlimitinjector.certs.WebhookCaBundle;
import io.rlimitinjector.testing.KubeApiServer;
import io.rlimitinjector.testing.Kubectl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The chart and deploy/ against a real API server, and the self mode running with exactly the chart's RBAC. */
class ChartApiServerTest {

    @Test
    void helmInstallsTheChartAndItsServiceAccountCanRunTheSelfModeAndNoMore(@TempDir Path directory)
            throws Exception {
        KubeApiServer server = KubeApiServer.shared();
        String namespace = server.namespace("helm", Map.of());
        String release = "rli-" + UUID.randomUUID().toString().substring(0, 6);
        String fullname = release + "-rlimit-injector";
        Release installed = new Helm(Charts.CHART).install().withName(release).withNamespace(namespace)
                .withKubeConfig(server.kubeconfig()).call();
        try {
            assertThat(installed.getStatus()).isEqualTo("deployed");
            KubernetesClient admin = server.client();
            assertThat(admin.apps().deployments().inNamespace(namespace).withName(fullname).get()).isNotNull();
            assertThat(webhook(admin, fullname).getWebhooks().get(0).getClientConfig().getCaBundle()).isNull();

            try (KubernetesClient webhook = server.serviceAccountClient(namespace, fullname)) {
                String secretName = fullname + "-tls";
                SelfManagedCertificate certificate = new SelfManagedCertificate(
                        new CertificateSecret(webhook, namespace, secretName),
                        new WebhookCaBundle(webhook, fullname),
                        new RotationPlan(List.of(fullname + "." + namespace + ".svc"), Duration.ofDays(365)),
                        new ServingFiles(directory.resolve("tls.crt"), directory.resolve("tls.key")),
                        Clock.systemUTC());
                CertificateState state = certificate.sync();
                assertThat(admin.secrets().inNamespace(namespace).withName(secretName).get()).isNotNull();
                assertThat(webhook(admin, fullname).getWebhooks().get(0).getClientConfig().getCaBundle())
                        .isNotNull();
                assertThat(Files.readString(directory.resolve("tls.crt"))).isEqualTo(state.servingCertificatePem());

                admin.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata()
                        .withName("someone-else").endMetadata().addToStringData("k", "v").build()).create();
                assertThatThrownBy(() -> webhook.secrets().inNamespace(namespace).withName("someone-else").get())
                        .isInstanceOfSatisfying(KubernetesClientException.class,
                                e -> assertThat(e.getCode()).isEqualTo(403));
                assertThatThrownBy(() -> webhook.secrets().inNamespace("default").withName("x").get())
                        .isInstanceOfSatisfying(KubernetesClientException.class,
                                e -> assertThat(e.getCode()).isEqualTo(403));
                // Events are off by default, and so is the right to record them.
                assertThatThrownBy(() -> webhook.events().v1().events().inNamespace(namespace).resource(
                        new EventBuilder().withNewMetadata().withName("x").endMetadata().build()).create())
                        .isInstanceOfSatisfying(KubernetesClientException.class,
                                e -> assertThat(e.getCode()).isEqualTo(403));
            }
        } finally {
            Helm.uninstall(release).withNamespace(namespace).withKubeConfig(server.kubeconfig()).call();
        }
        assertThat(server.client().admissionRegistration().v1().mutatingWebhookConfigurations().withName(fullname)
                .get()).isNull();
    }

    /** Every combination whose objects the API server knows (cert-manager and Prometheus need their CRDs). */
    static Stream<Map<String, Object>> builtInCombinations() {
        return ChartTest.combinations().filter(values -> !values.containsValue("cert-manager")
                && !values.containsKey("metrics.serviceMonitor.enabled")
                && !values.containsKey("metrics.prometheusRule.enabled"));
    }

    @ParameterizedTest
    @MethodSource("builtInCombinations")
    void everyCombinationPassesTheApiServersValidation(Map<String, Object> values) throws Exception {
        KubeApiServer server = KubeApiServer.shared();
        String namespace = server.namespace("helm-dry", Map.of());
        InstallCommand install = new Helm(Charts.CHART).install().withName("dry").withNamespace(namespace)
                .withKubeConfig(server.kubeconfig()).withDryRunOption(DryRun.SERVER);
        values.forEach(install::set);
        assertThat(install.call().getStatus()).isEqualTo("pending-install");
    }

    @Test
    void deployManifestsAreAcceptedByTheApiServer() throws Exception {
        KubeApiServer server = KubeApiServer.shared();
        // A server-side dry run does not create the namespace, so the objects in it need it to exist already.
        if (server.client().namespaces().withName(Charts.NAMESPACE).get() == null) {
            server.client().namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(Charts.NAMESPACE)
                    .endMetadata().build()).create();
        }
        // As the README says to install it: the kustomization in deploy/ (kubectl apply -f would read it as an object).
        Kubectl.Result result = server.kubectl().run("", "apply", "--dry-run=server", "-k",
                Charts.DEPLOY.toAbsolutePath().toString());
        assertThat(result.exitCode()).as(result.stderr()).isZero();
        int objects = Charts.parse(Files.readString(DeployManifests.DEFAULT.file())).size();
        assertThat(result.stdout().lines().filter(line -> line.contains("(server dry run)"))).hasSize(objects);
    }

    private static MutatingWebhookConfiguration webhook(KubernetesClient client, String name) {
        return client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(name).get();
    }
}
