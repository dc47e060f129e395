package io.rlimitinjector.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.rlimitinjector.admission.ServerSettings;
import io.rlimitinjector.certs.CertificateSecret;
import io.rlimitinjector.certs.Resync;
import io.rlimitinjector.certs.RotationPlan;
import io.rlimitinjector.certs.SelfManagedCertificate;
import io.rlimitinjector.certs.ServingFiles;
import io.rlimitinjector.certs.WebhookCaBundle;
import io.rlimitinjector.tls.PemIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The {@code serve} flags for the certificate modes that talk to the API server: {@code self} (the webhook keeps
 * its own CA in a Secret) and a mounted Secret whose CA the webhook writes into the caBundle. Without them the
 * certificate files are simply served as they are.
 */
final class CertificateFlags {
    static final Set<String> NAMES = Set.of("self-signed-secret", "cert-validity-days", "service", "namespace",
            "webhook-configuration", "ca-bundle-file", "cert-sync-seconds");
    static final String USAGE = """
              --self-signed-secret NAME     keep a CA and serving certificate in this Secret (created if absent),
                                            rotate them, and write the certificate to --tls-cert and --tls-key
              --cert-validity-days N        validity of that CA and certificate (default 365)
              --service NAME                the webhook's Service, for the certificate's DNS names
              --namespace NS                namespace of the Secret and the Service (default: the pod's)
              --ca-bundle-file FILE         trust this CA bundle (a mounted Secret's ca.crt) in the webhook
                                            configuration's caBundle
              --webhook-configuration NAME  the MutatingWebhookConfiguration whose caBundle is kept in step
              --cert-sync-seconds N         how often the Secret and caBundle are synced (default 30)
            """;

    private CertificateFlags() {
    }

    /**
     * Starts syncing the certificate as the flags ask, after a first sync; a no-op without those flags.
     *
     * @param kubernetes asked for its client only when these flags need the API server; not closed here
     */
    static AutoCloseable start(Options options, ServerSettings settings, Supplier<KubernetesClient> kubernetes)
            throws Exception {
        String secretName = options.get("self-signed-secret", null);
        String bundleFile = options.get("ca-bundle-file", null);
        if (secretName == null && bundleFile == null) {
            return () -> { };
        }
        if (secretName != null && bundleFile != null) {
            throw new Options.UsageException("--self-signed-secret and --ca-bundle-file exclude each other");
        }
        String configuration = required(options, "webhook-configuration");
        String service = secretName == null ? null : required(options, "service");
        Duration interval = Duration.ofSeconds(options.getInt("cert-sync-seconds", 30));
        KubernetesClient client = kubernetes.get();
        String namespace = options.get("namespace", client.getNamespace());
        WebhookCaBundle caBundle = new WebhookCaBundle(client, configuration);
        Resync resync;
        if (secretName != null) {
            SelfManagedCertificate certificate = new SelfManagedCertificate(
                    new CertificateSecret(client, namespace, secretName),
                    caBundle,
                    new RotationPlan(List.of(service + "." + namespace + ".svc",
                            service + "." + namespace + ".svc.cluster.local"),
                            Duration.ofDays(options.getInt("cert-validity-days", 365))),
                    new ServingFiles(settings.certificateFile(), settings.keyFile()),
                    Clock.systemUTC());
            resync = Resync.start("certificate sync with Secret " + namespace + "/" + secretName, interval,
                    certificate::sync);
        } else {
            Path file = Path.of(bundleFile);
            resync = Resync.start("caBundle sync from " + file, interval, () -> caBundle.trust(
                    PemIdentity.certificates(Files.readString(file)), Clock.systemUTC().instant()));
        }
        return resync::close;
    }

    private static String required(Options options, String name) {
        String value = options.get(name, null);
        if (value == null) {
            throw new Options.UsageException("--" + name + " is required with --self-signed-secret or --ca-bundle-file");
        }
        return value;
    }
}
