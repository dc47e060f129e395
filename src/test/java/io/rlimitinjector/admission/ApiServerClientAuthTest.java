package io.rlimitinjector.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.rlimitinjector.certs.CertificateAuthority;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.Contract;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.registry.KubernetesSecretSource;
import io.rlimitinjector.registry.PullCredentials;
import io.rlimitinjector.registry.RegistryResolver;
import io.rlimitinjector.registry.RegistrySettings;
import io.rlimitinjector.registry.SecretSource;
import io.rlimitinjector.testing.Eventually;
import io.rlimitinjector.testing.KubeApiServer;
import io.rlimitinjector.testing.Reviews;
import io.rlimitinjector.testing.TestTls;
import io.rlimitinjector.testing.TestWebhook;
import io.rlimitinjector.testing.WebhookRegistration;
import io.rlimitinjector.tls.ClientAuthentication;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook with {@code --client-ca} behind a real API server that presents a client certificate, as its
 * admission configuration ({@code --admission-control-config-file}, a kubeconfig whose user {@code *} holds the
 * certificate) makes it do; and behind the shared API server, which presents none.
 */
class ApiServerClientAuthTest {
    static final String API_SERVER_NAME = "kube-apiserver-admission";
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    static Path directory;
    static CertificateAuthority clientCa;
    static KubeApiServer authenticating;
    static TestWebhook webhook;
    /** Every secret the webhook read for registry credentials, as namespace/name. */
    static final List<String> secretsRead = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        clientCa = CertificateAuthority.create("api-server-client-ca", Duration.ofHours(1));
        authenticating = KubeApiServer.withAdmissionConfiguration(
                admissionConfiguration(clientCa.issueClient(API_SERVER_NAME, Duration.ofHours(1))));
        Path caFile = Files.writeString(directory.resolve("client-ca.crt"), clientCa.certificatePem());
        Files.createDirectories(directory.resolve("tls"));
        // Pull secrets read as serve --read-pull-secrets reads them.
        RegistryResolver resolver = new RegistryResolver(RegistrySettings.defaults(), new PullCredentials(
                recording(new KubernetesSecretSource(authenticating.client())), "rlimit-injector", null));
        webhook = TestWebhook.start(directory.resolve("tls"), new PodMutator(InjectionSettings.defaults()), resolver,
                admission -> { },
                Optional.of(new ClientAuthentication(caFile, Set.of(API_SERVER_NAME))));
    }

    @AfterAll
    static void stop() {
        if (webhook != null) {
            webhook.close();
        }
        if (authenticating != null) {
            authenticating.close();
        }
    }

    @Test
    void theApiServerWithItsClientCertificateGetsPodsMutatedAndPullSecretsRead() throws Exception {
        KubernetesClient client = authenticating.client();
        String group = "client-auth-" + UUID.randomUUID().toString().substring(0, 8);
        try (WebhookRegistration registration = WebhookRegistration.register(client, "rlimit-injector-" + group,
                group, webhook.mutateUrl(), webhook.caBundle(), "Fail")) {
            String namespace = authenticating.namespace("client-auth", WebhookRegistration.enabled(group));
            WebhookRegistration.awaitEffect(client, namespace, ApiServerPods::isInjected);
            client.secrets().inNamespace(namespace).resource(pullSecret("regcred")).create();

            Pod stored = client.pods().inNamespace(namespace).resource(lookedUp("app")).create();

            assertThat(ApiServerPods.isInjected(stored)).isTrue();
            assertThat(stored.getSpec().getContainers().get(0).getCommand())
                    .startsWith(Contract.LAUNCHER, "--", "/srv/app");
            assertThat(secretsRead).contains(namespace + "/regcred");
        }
    }

    /** The same review the API server would send, from callers that are not it: none reaches the handler. */
    @Test
    void directCallersWithoutTheApiServersCertificateAreRefusedAtTheHandshake() throws Exception {
        CertificateAuthority other = CertificateAuthority.create("other-ca", Duration.ofHours(1));
        byte[] forged = Json.MAPPER.writeValueAsBytes(Reviews.podCreate("forged", "victim",
                Json.MAPPER.valueToTree(lookedUp("forged"))));
        long before = webhook.admissions();
        for (CertificateAuthority.IssuedCertificate presented : new CertificateAuthority.IssuedCertificate[] {
                null,
                other.issueClient(API_SERVER_NAME, Duration.ofHours(1)),
                clientCa.issueClient("a-pod-with-a-stolen-ca", Duration.ofHours(1))}) {
            SSLContext context = TestTls.presenting(presented, webhook.ca().certificate());
            HttpClient caller = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5))
                    .build();
            // Bounded, as in ClientAuthenticationTest: a TLS 1.3 refusal can leave the JDK client waiting; the
            // handler's count and the secrets read are the proof.
            assertThatThrownBy(() -> caller.send(HttpRequest.newBuilder(webhook.mutateUrl())
                    .timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(forged)).build(),
                    HttpResponse.BodyHandlers.ofString())).isInstanceOf(IOException.class);
        }
        assertThat(webhook.admissions()).isEqualTo(before);
        assertThat(secretsRead).noneMatch(read -> read.startsWith("victim/"));
    }

    /** An API server not configured with the certificate cannot call the webhook: its failure policy decides. */
    @Test
    void anApiServerWithoutTheCertificateIsRefusedAndIgnoreAdmitsPodsUnchanged() throws Exception {
        KubeApiServer shared = KubeApiServer.shared();
        KubernetesClient client = shared.client();
        String group = "no-client-cert-" + UUID.randomUUID().toString().substring(0, 8);
        long before = webhook.admissions();
        try (WebhookRegistration registration = WebhookRegistration.register(client, "rlimit-injector-" + group,
                group, webhook.mutateUrl(), webhook.caBundle(), "Fail")) {
            String namespace = shared.namespace("no-client-cert", WebhookRegistration.enabled(group));
            // With Fail, the refusal shows: the configuration is in effect, and the call fails (at the handshake:
            // the webhook counts no admission; Go reports it as "tls: certificate required" or, over HTTP/2, as
            // "client conn could not be established").
            Eventually.until("the API server calling the webhook", TIMEOUT, () -> rejected(client, namespace));
            assertThatThrownBy(() -> client.pods().inNamespace(namespace).resource(ApiServerPods.minimal("refused"))
                    .dryRun().create())
                    .isInstanceOf(KubernetesClientException.class)
                    .hasMessageContaining("failed calling webhook \"pods.rlimit-injector.io\"");

            client.admissionRegistration().v1().mutatingWebhookConfigurations().withName(registration.name())
                    .edit(configuration -> {
                        configuration.getWebhooks().get(0).setFailurePolicy("Ignore");
                        return configuration;
                    });
            Eventually.until("failurePolicy Ignore in effect", TIMEOUT, () -> !rejected(client, namespace));
            Pod stored = client.pods().inNamespace(namespace).resource(ApiServerPods.minimal("unchanged")).create();
            assertThat(ApiServerPods.isInjected(stored)).isFalse();
            assertThat(stored.getSpec().getContainers().get(0).getCommand()).containsExactly("app");
        }
        assertThat(webhook.admissions()).isEqualTo(before);
    }

    private static boolean rejected(KubernetesClient client, String namespace) {
        try {
            client.pods().inNamespace(namespace).resource(ApiServerPods.minimal("probe")).dryRun().create();
            return false;
        } catch (KubernetesClientException e) {
            return true;
        }
    }

    /**
     * An AdmissionConfiguration whose MutatingAdmissionWebhook plugin reads a kubeconfig giving the API server this
     * client certificate for every webhook (user {@code *}); a cluster would name the webhook's Service instead.
     */
    private static Path admissionConfiguration(CertificateAuthority.IssuedCertificate certificate) throws IOException {
        Path kubeconfig = directory.resolve("webhook-client.kubeconfig");
        Files.writeString(kubeconfig, """
                apiVersion: v1
                kind: Config
                users:
                  - name: "*"
                    user:
                      client-certificate-data: %s
                      client-key-data: %s
                """.formatted(base64(certificate.certificatePem()), base64(certificate.keyPem())));
        Path configuration = directory.resolve("admission-configuration.yaml");
        Files.writeString(configuration, """
                apiVersion: apiserver.config.k8s.io/v1
                kind: AdmissionConfiguration
                plugins:
                  - name: MutatingAdmissionWebhook
                    configuration:
                      apiVersion: apiserver.config.k8s.io/v1
                      kind: WebhookAdmissionConfiguration
                      kubeConfigFile: %s
                """.formatted(kubeconfig));
        return configuration;
    }

    private static String base64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * A container with a command, wrapped without a lookup, and one without, whose image is looked up with the pod's
     * pull secret: on a closed loopback port, so the lookup fails at once, after the secret was read.
     */
    private static Pod lookedUp(String name) {
        return new PodBuilder().withNewMetadata().withName(name).endMetadata()
                .withNewSpec().addNewImagePullSecret("regcred")
                .addToContainers(new ContainerBuilder().withName("app").withImage("registry.test/app:1")
                        .withCommand("/srv/app").withNewResources().addToLimits("memory", new Quantity("128Mi"))
                        .endResources().build())
                .addToContainers(new ContainerBuilder().withName("sidecar").withImage("127.0.0.1:1/sidecar:1")
                        .withNewResources().addToLimits("memory", new Quantity("64Mi")).endResources().build())
                .endSpec().build();
    }

    private static Secret pullSecret(String name) {
        String config = "{\"auths\":{\"127.0.0.1:1\":{\"auth\":\"" + base64("user:password") + "\"}}}";
        return new SecretBuilder().withNewMetadata().withName(name).endMetadata()
                .withType("kubernetes.io/dockerconfigjson")
                .addToData(".dockerconfigjson", base64(config)).build();
    }

    private static SecretSource recording(SecretSource source) {
        return new SecretSource() {
            @Override
            public Optional<Secret> secret(String namespace, String name) {
                secretsRead.add(namespace + "/" + name);
                return source.secret(namespace, name);
            }

            @Override
            public Optional<ServiceAccount> serviceAccount(String namespace, String name) {
                return source.serviceAccount(namespace, name);
            }
        };
    }
}
