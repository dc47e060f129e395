package io.rlimitinjector.testing;

import io.rlimitinjector.admission.AdmissionReviewHandler;
import io.rlimitinjector.admission.AdmissionServer;
import io.rlimitinjector.admission.ServerSettings;
import io.rlimitinjector.admission.WarmUp;
import io.rlimitinjector.certs.CertificateAuthority;
import io.rlimitinjector.inject.Admission;
import io.rlimitinjector.inject.PodInjector;
import io.rlimitinjector.metrics.WebhookMetrics;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.tls.ClientAuthentication;
import io.rlimitinjector.tls.ReloadingTlsContext;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Our webhook served in-process over HTTPS on 127.0.0.1 (a free port), with its own test CA, and its metrics and
 * probes over plain HTTP on another free port.
 */
public final class TestWebhook implements AutoCloseable {
    private final CertificateAuthority ca;
    private final AdmissionServer server;

    private TestWebhook(CertificateAuthority ca, AdmissionServer server) {
        this.ca = ca;
        this.server = server;
    }

    /**
     * Starts it with certificates in {@code directory}, laid out as a mounted Secret, looking the pods' images up
     * with {@code resolver}.
     */
    public static TestWebhook start(Path directory, PodMutator mutator, EntrypointResolver resolver)
            throws Exception {
        return start(directory, mutator, resolver, admission -> { });
    }

    /** The same, handing each answered admission to {@code afterAdmission}, as {@code serve --events} does. */
    public static TestWebhook start(Path directory, PodMutator mutator, EntrypointResolver resolver,
            Consumer<Admission> afterAdmission) throws Exception {
        return start(directory, mutator, resolver, afterAdmission, Optional.empty());
    }

    /** The same, and with {@code clients} present, only callers with such a client certificate get through. */
    public static TestWebhook start(Path directory, PodMutator mutator, EntrypointResolver resolver,
            Consumer<Admission> afterAdmission, Optional<ClientAuthentication> clients) throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("test-ca", Duration.ofHours(1));
        TestTls tls = new TestTls(directory);
        tls.publish(TestTls.localPair(ca));
        ServerSettings settings = new ServerSettings("127.0.0.1", 0, 0, tls.certificateFile(), tls.keyFile(),
                Duration.ofSeconds(1));
        ReloadingTlsContext reloading = ReloadingTlsContext.watch(tls.certificateFile(), tls.keyFile(), clients,
                Duration.ofSeconds(1));
        AdmissionReviewHandler handler = new AdmissionReviewHandler(new PodInjector(mutator));
        AdmissionServer server = AdmissionServer.start(settings, handler, resolver, reloading,
                new WebhookMetrics(reloading::notAfter), WarmUp.start(handler), afterAdmission);
        return new TestWebhook(ca, server);
    }

    public CertificateAuthority ca() {
        return ca;
    }

    public AdmissionServer server() {
        return server;
    }

    public URI base() {
        return URI.create("https://127.0.0.1:" + server.port());
    }

    /** Where the metrics and the probes are served, over plain HTTP. */
    public URI metricsBase() {
        return URI.create("http://127.0.0.1:" + server.metricsPort());
    }

    public URI mutateUrl() {
        return base().resolve("/mutate");
    }

    /** The CA as a webhook configuration's {@code caBundle} wants it: the PEM, base64 again. */
    public String caBundle() {
        return Base64.getEncoder().encodeToString(ca.certificatePem().getBytes(StandardCharsets.US_ASCII));
    }

    public long admissions() {
        return server.metrics().admissionCount();
    }

    @Override
    public void close() {
        server.close();
    }
}
