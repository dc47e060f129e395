package io.rlimitinjector.admission;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.testing.KubeApiServer;
import io.rlimitinjector.testing.TestWebhook;
import io.rlimitinjector.testing.WebhookRegistration;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.util.Arrays;

/**
 * A benchmark, not a test ({@code hack/bench-apiserver.sh}): pod create time as a client of a real kube-apiserver
 * sees it, in a namespace where our webhook is called and in one where it is not, alternating, one pod at a time.
 * The difference is what the webhook adds to every pod creation: TLS round trip, mutation, patch, and the
 * reinvocation after the ServiceAccount plugin.
 */
public final class ApiServerAdmissionBench {
    private static final int WARM_UP = 50;
    private static final String WEBHOOK_SECONDS = "apiserver_admission_webhook_admission_duration_seconds";

    private ApiServerAdmissionBench() {
    }

    public static void main(String[] args) throws Exception {
        int pods = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        PrintStream results = System.out;
        // The webhook's one JSON line per admission is built as in production, but not printed here.
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        KubeApiServer api = KubeApiServer.shared();
        KubernetesClient client = api.client();
        try (TestWebhook webhook = TestWebhook.start(Files.createTempDirectory("bench-tls"),
                new PodMutator(InjectionSettings.defaults()), EntrypointResolver.NONE);
                WebhookRegistration registration = WebhookRegistration.register(client, "rlimit-injector-bench",
                        "bench", webhook.mutateUrl(), webhook.caBundle(), "Fail")) {
            String with = api.namespace("bench-with", WebhookRegistration.enabled("bench"));
            String without = api.namespace("bench-without", WebhookRegistration.notEnabled("bench"));
            WebhookRegistration.awaitEffect(client, with, ApiServerPods::isInjected);
            for (int i = 0; i < WARM_UP; i++) {
                create(client, with, "warm-" + i);
                create(client, without, "warm-" + i);
            }
            long before = webhook.admissions();
            long[] withNanos = new long[pods];
            long[] withoutNanos = new long[pods];
            for (int i = 0; i < pods; i++) {
                withNanos[i] = create(client, with, "pod-" + i);
                withoutNanos[i] = create(client, without, "pod-" + i);
            }
            results.printf("pod creates through kube-apiserver, %d each, sequential, after %d warm-up each%n",
                    pods, WARM_UP);
            results.printf("%-22s %10s %10s %10s%n", "", "median ms", "p99 ms", "max ms");
            print(results, "with the webhook", withNanos);
            print(results, "without (not called)", withoutNanos);
            results.printf("webhook requests during the run: %d (%.1f per pod)%n", webhook.admissions() - before,
                    (webhook.admissions() - before) / (double) pods);
            String metrics = client.raw(client.getMasterUrl() + "metrics");
            results.printf("kube-apiserver's own mean time per call to the webhook, warm-up and probes included: "
                    + "%.2f ms%n", 1000 * metric(metrics, WEBHOOK_SECONDS + "_sum") / metric(metrics, WEBHOOK_SECONDS + "_count"));
        }
        System.exit(0);
    }

    private static long create(KubernetesClient client, String namespace, String name) {
        Pod pod = ApiServerPods.python(name);
        long start = System.nanoTime();
        client.pods().inNamespace(namespace).resource(pod).create();
        return System.nanoTime() - start;
    }

    /** The sum of a Prometheus metric over its series for our webhook's name. */
    private static double metric(String exposition, String name) {
        return exposition.lines()
                .filter(line -> line.startsWith(name + "{") && line.contains("name=\"pods.rlimit-injector.io\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static void print(PrintStream out, String label, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        out.printf("%-22s %10.2f %10.2f %10.2f%n", label, sorted[sorted.length / 2] / 1e6,
                sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1e6, sorted[sorted.length - 1] / 1e6);
    }
}
