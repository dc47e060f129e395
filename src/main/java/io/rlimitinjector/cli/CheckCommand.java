package io.rlimitinjector.cli;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.rlimitinjector.check.CheckReport;
import io.rlimitinjector.check.Checker;
import io.rlimitinjector.check.ClusterReader;
import io.rlimitinjector.check.ClusterView;
import io.rlimitinjector.check.ReportFormat;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.registry.LookupObserver;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * {@code check [-n NAMESPACE] [pod/NAME | -f FILE] [-o text|json]}: whether a pod is or will be injected, and why not.
 * Reads the cluster through the kubeconfig (or the service account in a pod); {@link Checker} decides.
 */
final class CheckCommand {
    static final int USAGE_ERROR = 2;
    static final int CLUSTER_ERROR = 3;
    static final String USAGE = """
            usage: rlimit-injector check [-n NAMESPACE] [pod/NAME | -f FILE] [-o text|json]
              -n, --namespace NAMESPACE     default: the kubeconfig context's
              pod/NAME                      a pod in the cluster: what the launcher set and how each container ended
              -f, --filename FILE           a Pod manifest, as if created in NAMESPACE now (a server-side dry run)
              -o, --output text|json        default text
              --webhook-configuration NAME  check only this MutatingWebhookConfiguration (default: every one with a
                                            webhook named *rlimit-injector.io)
            Without a pod or file, checks the namespace. Exit codes: 0 injected or will be, 1 not injected (or only
            partly), with the reasons, 2 usage, 3 the cluster cannot be read or the webhook has a problem.
            The flags below shape this tool's own prediction, used when the webhook does not answer the dry run.
            """ + SettingsFlags.USAGE + RegistryFlags.USAGE;
    static final Set<String> FLAGS = flags();

    private CheckCommand() {
    }

    static int run(List<String> args, Map<String, String> env, PrintStream out, PrintStream err) throws Exception {
        Options options = Options.parse(args, FLAGS, RegistryFlags.SWITCHES, env);
        String output = options.get("o", options.get("output", "text"));
        if (!output.equals("text") && !output.equals("json")) {
            throw new Options.UsageException("-o takes text or json, got \"" + output + "\"");
        }
        String file = options.get("f", options.get("filename", null));
        String podName = podName(options.positional());
        if (file != null && podName != null) {
            throw new Options.UsageException("give pod/NAME or -f FILE, not both");
        }
        Optional<Pod> manifest;
        try {
            manifest = file == null ? Optional.empty() : Optional.of(readPod(file));
        } catch (NoSuchFileException e) {
            err.println("rlimit-injector check: no such file: " + file);
            return USAGE_ERROR;
        } catch (ManifestException | JacksonException | IOException e) {
            err.println("rlimit-injector check: " + file + ": " + e.getMessage());
            return USAGE_ERROR;
        }
        try (KubernetesConnection kubernetes = new KubernetesConnection()) {
            KubernetesClient client = kubernetes.get();
            String namespace = options.get("n", options.get("namespace", client.getNamespace() == null
                    ? "default" : client.getNamespace()));
            ClusterReader reader = new ClusterReader(client, Clock.systemUTC(),
                    options.get("webhook-configuration", null));
            ClusterView view;
            if (manifest.isPresent()) {
                view = reader.manifest(namespace, manifest.get());
            } else if (podName != null) {
                Optional<ClusterView> running = reader.runningPod(namespace, podName);
                if (running.isEmpty()) {
                    err.println("rlimit-injector check: pod " + namespace + "/" + podName + " not found");
                    return USAGE_ERROR;
                }
                view = running.get();
            } else {
                view = reader.namespace(namespace);
            }
            CheckReport report = new Checker(new PodMutator(SettingsFlags.read(options)),
                    RegistryFlags.resolver(options, LookupObserver.NONE, kubernetes)).check(view);
            out.print(output.equals("json") ? ReportFormat.json(report) : ReportFormat.text(report));
            out.flush();
            return report.exitCode();
        } catch (KubernetesClientException e) {
            err.println("rlimit-injector check: cannot read the cluster: " + Main.describe(e));
            return CLUSTER_ERROR;
        }
    }

    /** {@code pod/NAME} (or {@code pods/NAME}), as kubectl takes it; null when none is given. */
    private static String podName(List<String> positional) {
        if (positional.isEmpty()) {
            return null;
        }
        if (positional.size() > 1) {
            throw new Options.UsageException("one pod at a time, got " + positional);
        }
        String[] parts = positional.get(0).split("/", 2);
        if (parts.length != 2 || !(parts[0].equals("pod") || parts[0].equals("pods")) || parts[1].isEmpty()) {
            throw new Options.UsageException("expected pod/NAME, got \"" + positional.get(0) + "\"");
        }
        return parts[1];
    }

    private static Pod readPod(String file) throws IOException {
        String text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        boolean json = text.stripLeading().startsWith("{");
        List<JsonNode> documents = InjectCommand.read(text, json);
        if (documents.size() != 1 || !"Pod".equals(documents.get(0).path("kind").asString(""))) {
            throw new ManifestException("expected one Pod manifest");
        }
        Pod pod = Json.MAPPER.convertValue(documents.get(0), Pod.class);
        if (pod.getMetadata() == null || pod.getSpec() == null) {
            throw new ManifestException("the Pod has no metadata or no spec");
        }
        return pod;
    }

    private static final class ManifestException extends RuntimeException {
        ManifestException(String message) {
            super(message, null, false, false);
        }
    }

    private static Set<String> flags() {
        Set<String> flags = new HashSet<>(SettingsFlags.NAMES);
        flags.addAll(RegistryFlags.NAMES);
        flags.addAll(Set.of("n", "namespace", "f", "filename", "o", "output", "webhook-configuration"));
        return Set.copyOf(flags);
    }
}
