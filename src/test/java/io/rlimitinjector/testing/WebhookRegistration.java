package io.rlimitinjector.testing;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfigurationBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.rlimitinjector.tls.PemIdentity;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A MutatingWebhookConfiguration for pod creation as our chart installs it (opt-in namespace label, opt-out pod
 * label, reinvocation, 5 s timeout), pointing at a URL. Each also requires the namespace label {@link #GROUP_LABEL}
 * with its own value, so webhooks registered by different tests never see each other's namespaces.
 */
public final class WebhookRegistration implements AutoCloseable {
    public static final String GROUP_LABEL = "test.rlimit-injector.io/group";
    public static final String INJECT_LABEL = "rlimit-injector.io/inject";
    private static final Duration EFFECT_TIMEOUT = Duration.ofSeconds(60);

    private final KubernetesClient client;
    private final MutatingWebhookConfiguration configuration;

    private WebhookRegistration(KubernetesClient client, MutatingWebhookConfiguration configuration) {
        this.client = client;
        this.configuration = configuration;
    }

    /**
     * Registers it. The API server calls the webhooks of several configurations in the order of their names.
     *
     * @param failurePolicy {@code Ignore} or {@code Fail}
     */
    public static WebhookRegistration register(KubernetesClient client, String name, String group, URI url,
            String caBundle, String failurePolicy) {
        MutatingWebhookConfiguration configuration = new MutatingWebhookConfigurationBuilder()
                .withNewMetadata().withName(name).endMetadata()
                .addNewWebhook()
                .withName("pods.rlimit-injector.io")
                .withNewClientConfig().withUrl(url.toString()).withCaBundle(caBundle).endClientConfig()
                .addNewRule()
                .withOperations("CREATE").withApiGroups("").withApiVersions("v1").withResources("pods")
                .withScope("Namespaced")
                .endRule()
                .withNamespaceSelector(new LabelSelectorBuilder()
                        .withMatchLabels(Map.of(INJECT_LABEL, "enabled", GROUP_LABEL, group)).build())
                .withObjectSelector(new LabelSelectorBuilder().addNewMatchExpression()
                        .withKey(INJECT_LABEL).withOperator("NotIn").withValues("disabled").endMatchExpression().build())
                .withSideEffects("None")
                .withAdmissionReviewVersions("v1")
                .withReinvocationPolicy("IfNeeded")
                .withTimeoutSeconds(5)
                .withFailurePolicy(failurePolicy)
                .endWebhook()
                .build();
        return new WebhookRegistration(client, client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .resource(configuration).create());
    }

    /** Namespace labels under which this group's webhooks are called. */
    public static Map<String, String> enabled(String group) {
        return Map.of(INJECT_LABEL, "enabled", GROUP_LABEL, group);
    }

    /** Namespace labels of the group without the opt-in label: no webhook is called. */
    public static Map<String, String> notEnabled(String group) {
        return Map.of(GROUP_LABEL, group);
    }

    /**
     * Waits until the API server applies the configuration: it loads configurations asynchronously, so a pod created
     * right after registration may miss the webhook. Probes with server-side dry-run creates, which store nothing.
     */
    public static void awaitEffect(KubernetesClient client, String namespace, Predicate<Pod> effect) {
        Pod probe = new PodBuilder().withNewMetadata().withName("probe").endMetadata()
                .withNewSpec().addToContainers(new ContainerBuilder().withName("probe").withImage("registry.test/probe:1")
                        .withCommand("probe").withNewResources().addToLimits("memory", new Quantity("64Mi"))
                        .endResources().build())
                .endSpec().build();
        Eventually.until("webhook configuration in effect in " + namespace, EFFECT_TIMEOUT,
                () -> effect.test(client.pods().inNamespace(namespace).resource(probe).dryRun().create()));
    }

    public String name() {
        return configuration.getMetadata().getName();
    }

    /** The CAs the API server trusts for this webhook now, as its caBundle says. */
    public List<X509Certificate> caBundle() throws IOException, GeneralSecurityException {
        MutatingWebhookConfiguration current = client.admissionRegistration().v1().mutatingWebhookConfigurations()
                .withName(name()).get();
        String base64 = current.getWebhooks().get(0).getClientConfig().getCaBundle();
        return base64 == null ? List.of()
                : PemIdentity.certificates(new String(Base64.getDecoder().decode(base64), StandardCharsets.US_ASCII));
    }

    @Override
    public void close() {
        client.admissionRegistration().v1().mutatingWebhookConfigurations().resource(configuration).delete();
    }
}
