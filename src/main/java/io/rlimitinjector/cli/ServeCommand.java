package io.rlimitinjector.cli;

import io.rlimitinjector.admission.AdmissionReviewHandler;
import io.rlimitinjector.admission.AdmissionServer;
import io.rlimitinjector.admission.ServerSettings;
import io.rlimitinjector.admission.WarmUp;
import io.rlimitinjector.events.AdmissionEvents;
import io.rlimitinjector.inject.PodInjector;
import io.rlimitinjector.metrics.WebhookMetrics;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.tls.ClientAuthentication;
import io.rlimitinjector.tls.ReloadingTlsContext;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

/** {@code serve}: the admission webhook, until SIGTERM. */
final class ServeCommand {
    static final Set<String> FLAGS = flags();
    static final Set<String> SWITCHES = switches();
    static final String USAGE = """
            usage: rlimit-injector serve [flags]
              --host ADDRESS                address to listen on (default 0.0.0.0)
              --port PORT                   HTTPS port of POST /mutate (default 8443)
              --metrics-port PORT           plain-HTTP port of GET /metrics, /healthz and /readyz (default 8080)
              --tls-cert FILE               PEM certificate chain (default /etc/rlimit-injector/tls/tls.crt)
              --tls-key FILE                PEM private key (default /etc/rlimit-injector/tls/tls.key)
              --cert-poll-seconds N         how often to check the files for a new certificate (default 5)
              --shutdown-delay-seconds N    on SIGTERM, keep answering, not ready, with Connection: close, for N
                                            seconds before stopping, so callers move to other replicas (default 5)
            """ + ClientAuthFlags.USAGE + CertificateFlags.USAGE + EventFlags.USAGE + SettingsFlags.USAGE
            + RegistryFlags.USAGE + LauncherCheckFlags.USAGE;

    private ServeCommand() {
    }

    static void run(Options options) throws Exception {
        Optional<ClientAuthentication> clients = ClientAuthFlags.read(options);
        KubernetesConnection kubernetes = new KubernetesConnection();
        InjectionSettings injection = ImageVolumeSupport.checked(SettingsFlags.read(options), kubernetes, System.err);
        // Started first, so it overlaps with the certificates, the metrics and HTTPS; it looks no image up.
        WarmUp warmUp = WarmUp.start(new AdmissionReviewHandler(new PodInjector(new PodMutator(injection))));
        ServerSettings settings = new ServerSettings(
                options.get("host", "0.0.0.0"),
                options.getInt("port", 8443),
                options.getInt("metrics-port", 8080),
                Path.of(options.get("tls-cert", "/etc/rlimit-injector/tls/tls.crt")),
                Path.of(options.get("tls-key", "/etc/rlimit-injector/tls/tls.key")),
                Duration.ofSeconds(options.getInt("cert-poll-seconds", 5)));
        // In the self-managed mode this writes the certificate files first: the server loads them at start.
        AutoCloseable certificates = CertificateFlags.start(options, settings, kubernetes);
        ReloadingTlsContext tls = ReloadingTlsContext.watch(settings.certificateFile(), settings.keyFile(), clients,
                settings.certificatePollInterval());
        WebhookMetrics metrics = new WebhookMetrics(tls::notAfter);
        BooleanSupplier launcherPullable = LauncherCheckFlags.start(options, injection, metrics, kubernetes);
        AdmissionReviewHandler handler = new AdmissionReviewHandler(
                new PodInjector(new PodMutator(injection, launcherPullable)));
        EntrypointResolver resolver = RegistryFlags.resolver(options, metrics, kubernetes);
        Optional<AdmissionEvents> events = EventFlags.start(options, metrics, kubernetes);
        AdmissionServer server = AdmissionServer.start(settings, handler, resolver, tls, metrics, warmUp,
                admission -> events.ifPresent(recorder -> recorder.record(admission)));
        Duration drain = Duration.ofSeconds(options.getInt("shutdown-delay-seconds", 5));
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.drain(drain);
            server.close();
            events.ifPresent(AdmissionEvents::close);
            closeQuietly(certificates);
            kubernetes.close();
            stopped.countDown();
        }, "shutdown"));
        System.err.printf("rlimit-injector: serving https on %s:%d (%s), metrics and probes on http port %d,"
                + " launcher image %s by %s%n", settings.host(), server.port(),
                clients.isPresent() ? "client certificates required" : "any client", server.metricsPort(),
                injection.launcherImage(), injection.delivery().value());
        stopped.await();
    }

    private static Set<String> flags() {
        Set<String> flags = new HashSet<>(SettingsFlags.NAMES);
        flags.addAll(CertificateFlags.NAMES);
        flags.addAll(RegistryFlags.NAMES);
        flags.addAll(ClientAuthFlags.NAMES);
        flags.addAll(LauncherCheckFlags.NAMES);
        flags.addAll(Set.of("host", "port", "metrics-port", "tls-cert", "tls-key", "cert-poll-seconds",
                "shutdown-delay-seconds"));
        return Set.copyOf(flags);
    }

    private static Set<String> switches() {
        Set<String> switches = new HashSet<>(RegistryFlags.SWITCHES);
        switches.addAll(EventFlags.SWITCHES);
        return Set.copyOf(switches);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            System.err.println("rlimit-injector: " + e);
        }
    }
}
