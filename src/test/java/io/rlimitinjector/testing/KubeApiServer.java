package io.rlimitinjector.testing;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real control plane for the whole test run: etcd, kube-apiserver and kube-controller-manager on loopback, started
 * once by {@code hack/k8s-control-plane.sh} (the same flags as the smoke test and the demo) and stopped by a shutdown
 * hook. The script holds our end of a pipe, so the control plane stops even if this JVM is killed.
 *
 * <p>Binaries come from {@code RLIMIT_INJECTOR_K8S_BIN}, else from running {@code hack/k8s-test-binaries.sh}; when
 * neither gives them, tests that need the API server skip (fail in CI, see {@link Requirements}).
 */
public final class KubeApiServer implements AutoCloseable {
    public static final Path PROJECT = Path.of(System.getProperty("rlimit-injector.project-dir", "."));
    private static final long STOP_SECONDS = 30;
    private static KubeApiServer shared;

    private final Path binaries;
    private final Path directory;
    private final Process process;
    private final KubernetesClient client;

    private KubeApiServer(Path binaries, Path directory, Process process, KubernetesClient client) {
        this.binaries = binaries;
        this.directory = directory;
        this.process = process;
        this.client = client;
    }

    /**
     * A control plane of the caller's own, whose API server reads this AdmissionConfiguration (for instance one that
     * gives it a client certificate for webhooks); {@link #close()} stops it.
     */
    public static KubeApiServer withAdmissionConfiguration(Path admissionConfiguration) throws IOException {
        Path binaries = binaries();
        Requirements.require(binaries != null, "Kubernetes test binaries (hack/k8s-test-binaries.sh)");
        return start(binaries, Map.of("CP_ADMISSION_CONFIG", admissionConfiguration.toString()));
    }

    /** The running control plane, started on first use; skips the calling test when the binaries are missing. */
    public static synchronized KubeApiServer shared() throws IOException {
        if (shared == null) {
            Path binaries = binaries();
            Requirements.require(binaries != null, "Kubernetes test binaries (hack/k8s-test-binaries.sh)");
            shared = start(binaries, Map.of());
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "kube-apiserver-stop"));
        }
        return shared;
    }

    /** One of the test binaries ({@code kubectl}, ...), without a control plane; skips the calling test when missing. */
    public static Path binary(String name) throws IOException {
        Path binaries = binaries();
        Requirements.require(binaries != null && Files.isExecutable(binaries.resolve(name)),
                name + " of the Kubernetes test binaries (hack/k8s-test-binaries.sh)");
        return binaries.resolve(name);
    }

    private static Path binaries() throws IOException {
        String configured = System.getenv("RLIMIT_INJECTOR_K8S_BIN");
        if (configured != null && !configured.isEmpty()) {
            return Files.isExecutable(Path.of(configured, "kube-apiserver")) ? Path.of(configured) : null;
        }
        Process script = new ProcessBuilder("bash", PROJECT.resolve("hack/k8s-test-binaries.sh").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String directory = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        return waitFor(script) == 0 && !directory.isEmpty() ? Path.of(directory) : null;
    }

    private static KubeApiServer start(Path binaries, Map<String, String> environment) throws IOException {
        Path directory = Files.createTempDirectory("kube-apiserver-");
        Path log = directory.resolve("control-plane.log");
        ProcessBuilder builder = new ProcessBuilder("bash", PROJECT.resolve("hack/k8s-control-plane.sh").toString(),
                binaries.toString(), directory.toString())
                .redirectError(log.toFile());
        builder.environment().putAll(environment);
        Process process = builder.start();
        // The script's own waits are bounded (90 s each), so this line comes, or the end of the stream does.
        String line;
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            line = out.readLine();
        }
        if (line == null || !line.startsWith("ready ")) {
            process.destroy();
            throw new IllegalStateException("the control plane did not start; " + log + ":\n" + Files.readString(log));
        }
        Config config = Config.fromKubeconfig(Files.readString(directory.resolve("admin.kubeconfig")));
        // Tests assert on the API server's first answer: fabric8 would retry a 500 (a webhook failing closed).
        config.setRequestRetryBackoffLimit(0);
        return new KubeApiServer(binaries, directory, process,
                new KubernetesClientBuilder().withConfig(config).build());
    }

    public KubernetesClient client() {
        return client;
    }

    /** A client acting as a ServiceAccount, as the API server would see its token, to test RBAC. */
    public KubernetesClient serviceAccountClient(String namespace, String account) throws IOException {
        Config config = Config.fromKubeconfig(Files.readString(kubeconfig()));
        config.setImpersonateUsername("system:serviceaccount:" + namespace + ":" + account);
        config.setImpersonateGroups("system:serviceaccounts", "system:serviceaccounts:" + namespace,
                "system:authenticated");
        config.setRequestRetryBackoffLimit(0);
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    public Path kubeconfig() {
        return directory.resolve("admin.kubeconfig");
    }

    /** {@code kubectl} from the same bin dir, with the admin kubeconfig. */
    public Kubectl kubectl() {
        return new Kubectl(binaries.resolve("kubectl"), kubeconfig());
    }

    /**
     * A new namespace with a unique name from {@code prefix}, once its {@code default} ServiceAccount exists (the
     * ServiceAccount admission plugin rejects pods until then).
     */
    public String namespace(String prefix, Map<String, String> labels) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).withLabels(labels)
                .endMetadata().build()).create();
        client.serviceAccounts().inNamespace(name).withName("default")
                .waitUntilCondition(Objects::nonNull, 60, TimeUnit.SECONDS);
        return name;
    }

    /** Stops a control plane from {@link #withAdmissionConfiguration}; the shared one stops with the JVM. */
    @Override
    public void close() {
        if (this != shared) {
            stop();
        }
    }

    private void stop() {
        client.close();
        try {
            process.getOutputStream().close();
            if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        } catch (IOException | InterruptedException e) {
            System.err.println("kube-apiserver fixture: cleanup incomplete: " + e);
        }
    }

    private static int waitFor(Process process) throws IOException {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
