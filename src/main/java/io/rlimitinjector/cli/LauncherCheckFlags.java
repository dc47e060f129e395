package io.rlimitinjector.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.rlimitinjector.launcherimage.LauncherImageCheck;
import io.rlimitinjector.metrics.WebhookMetrics;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.registry.ImagePullCheck;
import io.rlimitinjector.registry.ImageReference;
import io.rlimitinjector.registry.KubernetesSecretSource;
import java.time.Duration;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** The launcher image check of {@code serve}; {@code inject} works offline and checks nothing. */
final class LauncherCheckFlags {
    static final Set<String> NAMES = Set.of("launcher-image-check", "launcher-image-check-seconds");
    static final String USAGE = """
            Launcher image check (pods are admitted unchanged, reason launcher-image-unavailable, while it fails):
              --launcher-image-check B      true (default): check at start and then periodically that the launcher
                                            image resolves in its registry (with --registry-mirrors,
                                            --insecure-registries, --registry-ca-file and the launcher pull secrets
                                            read from the webhook's namespace); false, e.g. where the nodes have
                                            the image preloaded. Never checked with --launcher-pull-policy Never
              --launcher-image-check-seconds N  how often while it resolves (default 300); every 10 while it does not
            """;
    static final Duration DEFAULT_PERIOD = Duration.ofMinutes(5);

    private LauncherCheckFlags() {
    }

    /**
     * Checks once before it returns, then in the background.
     *
     * @return whether the nodes can pull the launcher image now; always true when not checked
     */
    static BooleanSupplier start(Options options, InjectionSettings injection, WebhookMetrics metrics,
            Supplier<KubernetesClient> kubernetes) throws Exception {
        String enabled = options.get("launcher-image-check", "true");
        if (!enabled.equals("true") && !enabled.equals("false")) {
            throw new Options.UsageException("--launcher-image-check must be true or false, got \"" + enabled + "\"");
        }
        int seconds = options.getInt("launcher-image-check-seconds", (int) DEFAULT_PERIOD.toSeconds());
        if (seconds < 1) {
            throw new Options.UsageException("--launcher-image-check-seconds must be at least 1, got " + seconds);
        }
        if (enabled.equals("false") || injection.launcherPullPolicy().equals("Never")) {
            System.err.println("rlimit-injector: launcher image " + injection.launcherImage() + " is not checked");
            return () -> true;
        }
        KubernetesClient client = injection.launcherPullSecrets().isEmpty() ? null : kubernetes.get();
        // The operator names the launcher image, so its registry is reached wherever it is, as the nodes reach it.
        ImagePullCheck pull = new ImagePullCheck(RegistryFlags.settings(options).listing(registryOf(injection)),
                client == null ? null : new KubernetesSecretSource(client),
                client == null ? null : client.getNamespace(), injection.launcherPullSecrets());
        LauncherImageCheck check = LauncherImageCheck.start(injection.launcherImage(), pull::problem,
                Duration.ofSeconds(seconds));
        metrics.watchLauncherImage(check);
        return check;
    }

    private static String registryOf(InjectionSettings injection) {
        try {
            return ImageReference.parse(injection.launcherImage()).registry();
        } catch (IllegalArgumentException e) {
            throw new Options.UsageException("--launcher-image " + injection.launcherImage() + ": " + e.getMessage());
        }
    }
}
