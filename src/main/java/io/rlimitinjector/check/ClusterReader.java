package io.rlimitinjector.check;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ServiceReference;
import io.fabric8.kubernetes.api.model.discovery.v1.Endpoint;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.Contract;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import tools.jackson.core.JacksonException;

/**
 * Reads what the check needs from the API server, as the user running it (kubeconfig) or as its service account (in a
 * pod). The webhook's serving certificate is read from the Secret the chart mounts it from, {@code <service>-tls},
 * rather than by a TLS handshake: that works from outside the cluster too, needs only {@code get} on one Secret,
 * and a caller without it is told the check was not made.
 */
public final class ClusterReader {
    /** Our webhooks' names end so: the chart's is {@code inject.rlimit-injector.io}. */
    static final String WEBHOOK_SUFFIX = "rlimit-injector.io";
    private static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";
    private static final int HTTP_FORBIDDEN = 403;
    /** A warning header: {@code 299 - "text"}; the text is a quoted string. */
    private static final Pattern WARNING = Pattern.compile("^\\d{3} \\S+ \"((?:[^\"\\\\]|\\\\.)*)\"");

    private final KubernetesClient client;
    private final Clock clock;
    private final String onlyConfiguration;

    /**
     * @param onlyConfiguration read this MutatingWebhookConfiguration only, or every one with a webhook of ours (null)
     */
    public ClusterReader(KubernetesClient client, Clock clock, String onlyConfiguration) {
        this.client = client;
        this.clock = clock;
        this.onlyConfiguration = onlyConfiguration;
    }

    public ClusterView namespace(String namespace) {
        return new ClusterView(namespace, namespaceLabels(namespace), null, false, webhooks(), null);
    }

    /** A running pod; empty when there is none of that name. Only one not yet injected gets a dry run. */
    public Optional<ClusterView> runningPod(String namespace, String name) {
        Pod pod = client.pods().inNamespace(namespace).withName(name).get();
        if (pod == null) {
            return Optional.empty();
        }
        boolean hasStatus = pod.getMetadata().getAnnotations() != null
                && pod.getMetadata().getAnnotations().containsKey(Contract.STATUS);
        return Optional.of(new ClusterView(namespace, namespaceLabels(namespace), pod, true, webhooks(),
                hasStatus ? null : dryRun(namespace, pod)));
    }

    /** A pod from a manifest, as if created in {@code namespace} now. */
    public ClusterView manifest(String namespace, Pod pod) {
        return new ClusterView(namespace, namespaceLabels(namespace), pod, false, webhooks(), dryRun(namespace, pod));
    }

    private Map<String, String> namespaceLabels(String namespace) {
        Namespace found = client.namespaces().withName(namespace).get();
        if (found == null) {
            return null;
        }
        return found.getMetadata().getLabels() == null ? Map.of() : found.getMetadata().getLabels();
    }

    private List<WebhookState> webhooks() {
        List<MutatingWebhookConfiguration> configurations = new ArrayList<>();
        if (onlyConfiguration != null) {
            Optional.ofNullable(client.admissionRegistration().v1().mutatingWebhookConfigurations()
                    .withName(onlyConfiguration).get()).ifPresent(configurations::add);
        } else {
            configurations.addAll(client.admissionRegistration().v1().mutatingWebhookConfigurations().list().getItems());
        }
        List<WebhookState> webhooks = new ArrayList<>();
        for (MutatingWebhookConfiguration configuration : configurations) {
            for (MutatingWebhook webhook : configuration.getWebhooks() == null ? List.<MutatingWebhook>of()
                    : configuration.getWebhooks()) {
                if (onlyConfiguration != null || webhook.getName().endsWith(WEBHOOK_SUFFIX)) {
                    webhooks.add(state(configuration.getMetadata().getName(), webhook));
                }
            }
        }
        return webhooks;
    }

    private WebhookState state(String configuration, MutatingWebhook webhook) {
        ServiceReference service = webhook.getClientConfig().getService();
        String caBundle = webhook.getClientConfig().getCaBundle() == null ? null
                : new String(Base64.getDecoder().decode(webhook.getClientConfig().getCaBundle()), StandardCharsets.US_ASCII);
        String endpoint;
        Integer ready;
        CertificateCheck certificate;
        if (service == null) {
            endpoint = "URL " + webhook.getClientConfig().getUrl();
            ready = null;
            certificate = CertificateCheck.notChecked("a URL webhook: only a Service's certificate Secret is compared");
        } else {
            endpoint = "service " + service.getNamespace() + "/" + service.getName();
            ready = readyEndpoints(service);
            certificate = servingCertificate(service.getNamespace(), service.getName() + "-tls")
                    .map(serving -> CertificateCheck.compare(caBundle, serving, clock.instant()))
                    .orElseGet(() -> CertificateCheck.notChecked("cannot read Secret " + service.getNamespace() + "/"
                            + service.getName() + "-tls"));
        }
        return new WebhookState(configuration, webhook.getName(), webhook.getNamespaceSelector(),
                webhook.getObjectSelector(), webhook.getFailurePolicy(), endpoint, ready, certificate);
    }

    /** The Service's ready endpoints, or null when the caller may not list EndpointSlices there. */
    private Integer readyEndpoints(ServiceReference service) {
        List<EndpointSlice> slices;
        try {
            slices = client.discovery().v1().endpointSlices().inNamespace(service.getNamespace())
                    .withLabel(SERVICE_NAME_LABEL, service.getName()).list().getItems();
        } catch (KubernetesClientException e) {
            if (e.getCode() == HTTP_FORBIDDEN) {
                return null;
            }
            throw e;
        }
        return (int) slices.stream()
                .flatMap(slice -> slice.getEndpoints() == null ? Stream.<Endpoint>empty()
                        : slice.getEndpoints().stream())
                // An absent condition means ready, as for the API server's own routing.
                .filter(endpoint -> endpoint.getConditions() == null || endpoint.getConditions().getReady() == null
                        || endpoint.getConditions().getReady())
                .count();
    }

    private Optional<String> servingCertificate(String namespace, String name) {
        try {
            Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
            if (secret == null || secret.getData() == null || secret.getData().get("tls.crt") == null) {
                return Optional.empty();
            }
            return Optional.of(new String(Base64.getDecoder().decode(secret.getData().get("tls.crt")),
                    StandardCharsets.US_ASCII));
        } catch (KubernetesClientException e) {
            // Forbidden is the usual case for a user who may not read Secrets there: the check is then not made.
            return Optional.empty();
        }
    }

    /**
     * A server-side dry run ({@code dryRun=All}) of the pod under a generated name, so a running pod's own name
     * does not collide. Made over the client's raw HTTP, because the typed API drops the warnings, which are what
     * the webhook says.
     */
    DryRun dryRun(String namespace, Pod original) {
        Pod pod = Json.MAPPER.convertValue(original, Pod.class);
        ObjectMeta from = pod.getMetadata();
        ObjectMeta meta = new ObjectMeta();
        meta.setGenerateName((from.getName() == null ? "check" : from.getName()) + "-");
        meta.setNamespace(namespace);
        meta.setLabels(from.getLabels());
        meta.setAnnotations(from.getAnnotations());
        pod.setMetadata(meta);
        pod.setStatus(null);
        pod.getSpec().setNodeName(null);
        URI uri = URI.create(client.getMasterUrl().toString().replaceAll("/$", "") + "/api/v1/namespaces/"
                + URLEncoder.encode(namespace, StandardCharsets.UTF_8) + "/pods?dryRun=All");
        HttpRequest request = client.getHttpClient().newHttpRequestBuilder().uri(uri)
                .post("application/json", Json.MAPPER.writeValueAsString(pod))
                .timeout(30, TimeUnit.SECONDS)
                .build();
        HttpResponse<String> response;
        try {
            response = client.getHttpClient().sendAsync(request, String.class).get(40, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return DryRun.refused("interrupted");
        } catch (Exception e) {
            throw new KubernetesClientException("dry-run create failed: " + e.getMessage(), e);
        }
        List<String> warnings = warnings(response.headers("Warning"));
        if (!response.isSuccessful()) {
            return new DryRun(null, warnings, failure(response));
        }
        Pod created = Json.MAPPER.readValue(response.body(), Pod.class);
        Map<String, String> annotations = created.getMetadata().getAnnotations();
        return new DryRun(annotations == null ? null : annotations.get(Contract.STATUS), warnings, null);
    }

    private static String failure(HttpResponse<String> response) {
        try {
            Status status = Json.MAPPER.readValue(response.body(), Status.class);
            if (status.getMessage() != null) {
                return status.getMessage();
            }
        } catch (JacksonException | IllegalArgumentException e) {
            // Not a Status: the HTTP code says enough.
        }
        return "HTTP " + response.code();
    }

    static List<String> warnings(List<String> headers) {
        List<String> warnings = new ArrayList<>();
        for (String header : headers == null ? List.<String>of() : headers) {
            Matcher matcher = WARNING.matcher(header);
            warnings.add(matcher.find() ? matcher.group(1).replaceAll("\\\\(.)", "$1") : header);
        }
        return warnings;
    }
}
