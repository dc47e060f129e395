package io.rlimitinjector.bench;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.rlimitinjector.testing.ProcessStats;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A benchmark, not a test ({@code hack/bench-webhooks.sh}): mutating webhooks side by side through one real
 * kube-apiserver, as a client creating pods sees them, in alternating rounds so they share the machine's state. Each
 * webhook is a process on this machine whose CPU time is read from {@code /proc}; the API server's own metric counts
 * its calls to each. A namespace with no webhook gives the baseline.
 *
 * <p>{@code WebhookComparisonBench KUBECONFIG ROUNDS PODS PARALLEL NONE_NS [LABEL:NS:PID:PORT:WEBHOOK_NAME]...}
 *
 * <ol>
 *   <li>first: the first {@value #FIRST} pods of each webhook after its start, one at a time, alternating;
 *   <li>warm: {@value #WARM} more each, not measured;
 *   <li>rounds: ROUNDS times PODS pods per side, one at a time, the sides' order turning each round;
 *   <li>parallel: PARALLEL creators at once, PODS pods per webhook: the most connections from the API server to it.
 * </ol>
 */
public final class WebhookComparisonBench {
    static final int FIRST = 100;
    static final int WARM = 1000;
    private static final String CALLS = "apiserver_admission_webhook_admission_duration_seconds";

    private final KubernetesClient client;
    private final AtomicInteger names = new AtomicInteger();

    private WebhookComparisonBench(KubernetesClient client) {
        this.client = client;
    }

    public static void main(String[] args) throws Exception {
        Config config = Config.fromKubeconfig(Files.readString(Path.of(args[0])));
        config.setRequestRetryBackoffLimit(0);
        int rounds = Integer.parseInt(args[1]);
        int pods = Integer.parseInt(args[2]);
        int parallel = Integer.parseInt(args[3]);
        List<Side> sides = new ArrayList<>();
        sides.add(new Side("no webhook", args[4], 0, 0, null));
        for (int i = 5; i < args.length; i++) {
            String[] part = args[i].split(":");
            sides.add(new Side(part[0], part[1], Long.parseLong(part[2]), Integer.parseInt(part[3]), part[4]));
        }
        PrintStream out = System.out;
        try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
            new WebhookComparisonBench(client).run(out, sides, rounds, pods, parallel);
        }
        System.exit(0);
    }

    private void run(PrintStream out, List<Side> sides, int rounds, int pods, int parallel) throws Exception {
        List<Side> webhooks = sides.subList(1, sides.size());
        Side none = sides.get(0);
        // The client's own JIT, not the webhooks', would otherwise make the first pods slow.
        for (int i = 0; i < 200; i++) {
            create(none.namespace);
        }
        Metrics first = measure(webhooks, FIRST, 1);
        for (Side side : webhooks) {
            side.first = first.of(side);
        }
        measure(webhooks, WARM, 1);
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < sides.size(); i++) {
                Side side = sides.get((i + round) % sides.size());
                Metrics segment = measure(List.of(side), pods, 1);
                side.steady.add(segment.of(side));
            }
            for (Side side : sides) {
                client.pods().inNamespace(side.namespace).delete();
            }
        }
        for (Side side : webhooks) {
            side.parallel = measure(List.of(side), pods, parallel).of(side);
            client.pods().inNamespace(side.namespace).delete();
        }
        report(out, none, webhooks, rounds, pods, parallel);
    }

    /** {@code count} pods per side, sides alternating pod by pod, on {@code threads} creators. */
    private Metrics measure(List<Side> sides, int count, int threads) throws Exception {
        Metrics metrics = new Metrics(sides, count);
        metrics.begin(callCounts());
        ExecutorService creators = Executors.newFixedThreadPool(threads);
        List<Future<?>> work = new ArrayList<>();
        AtomicInteger next = new AtomicInteger();
        int total = count * sides.size();
        Thread sampler = connectionSampler(sides, metrics);
        for (int t = 0; t < threads; t++) {
            work.add(creators.submit(() -> {
                for (int n = next.getAndIncrement(); n < total; n = next.getAndIncrement()) {
                    int side = n % sides.size();
                    metrics.latencies[side][n / sides.size()] = create(sides.get(side).namespace);
                }
                return null;
            }));
        }
        for (Future<?> task : work) {
            task.get();
        }
        creators.shutdown();
        sampler.interrupt();
        sampler.join();
        metrics.end(callCounts());
        return metrics;
    }

    /** Every 20 ms, the established connections into each webhook's port; the most seen is kept. */
    private static Thread connectionSampler(List<Side> sides, Metrics metrics) {
        Thread thread = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                for (int i = 0; i < sides.size(); i++) {
                    if (sides.get(i).port > 0) {
                        metrics.connections[i] = Math.max(metrics.connections[i],
                                ProcessStats.establishedConnections(sides.get(i).port));
                    }
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        thread.start();
        return thread;
    }

    private long create(String namespace) {
        Pod pod = new PodBuilder().withNewMetadata().withName("p-" + names.incrementAndGet()).endMetadata()
                .withNewSpec().addToContainers(new ContainerBuilder().withName("app").withImage("python:3.12")
                        .withCommand("python", "app.py")
                        // Bank-Vaults' webhook mutates a pod with a secret reference; ours ignores it.
                        .addNewEnv().withName("PASSWORD").withValue("vault:secret/data/app#password").endEnv()
                        .withNewResources().addToLimits("memory", new Quantity("256Mi")).endResources().build())
                .endSpec().build();
        long start = System.nanoTime();
        client.pods().inNamespace(namespace).resource(pod).create();
        return System.nanoTime() - start;
    }

    /** Calls and their summed seconds, by webhook name, from the API server's own metric. */
    private String callCounts() {
        return client.raw(client.getMasterUrl() + "metrics");
    }

    private static double metric(String exposition, String name, String webhook) {
        return exposition.lines()
                .filter(line -> line.startsWith(name + "{") && line.contains("name=\"" + webhook + "\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static long cpuNanos(long pid) {
        return pid == 0 ? 0 : ProcessStats.cpuNanos(pid);
    }

    private static void report(PrintStream out, Side none, List<Side> webhooks, int rounds, int pods, int parallel) {
        out.printf("%d rounds of %d pods per side, one at a time, sides alternating; then %d creators at once%n%n",
                rounds, pods, parallel);
        StringBuilder header = new StringBuilder("| | " + none.label + " |");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (Side side : webhooks) {
            header.append(' ').append(side.label).append(" |");
            rule.append("---|");
        }
        out.println(header);
        out.println(rule);
        Segment baseline = Segment.merge(none.steady);
        row(out, "pod create median (p99)", String.format("%.2f ms (%.1f)", baseline.percentile(0.5),
                baseline.percentile(0.99)), webhooks, side -> {
                    Segment all = Segment.merge(side.steady);
                    return String.format("%.2f ms (%.1f)", all.percentile(0.5), all.percentile(0.99));
                });
        row(out, "added to the median (p99)", "-", webhooks, side -> {
            Segment all = Segment.merge(side.steady);
            return String.format("+%.2f ms (+%.1f)", all.percentile(0.5) - baseline.percentile(0.5),
                    all.percentile(0.99) - baseline.percentile(0.99));
        });
        row(out, "webhook calls per pod", "-", webhooks,
                side -> String.format("%.2f", Segment.merge(side.steady).callsPerPod()));
        row(out, "mean call, by the API server's metric", "-", webhooks,
                side -> String.format("%.2f ms", Segment.merge(side.steady).meanCallMillis()));
        row(out, "CPU per pod", "-", webhooks,
                side -> String.format("%.2f ms", Segment.merge(side.steady).cpuPerPodMillis()));
        row(out, "CPU per call", "-", webhooks,
                side -> String.format("%.2f ms", Segment.merge(side.steady).cpuPerCallMillis()));
        row(out, "first " + FIRST + " pods after start: CPU per call", "-", webhooks,
                side -> String.format("%.2f ms (x%.2f steady)", side.first.cpuPerCallMillis(),
                        side.first.cpuPerCallMillis() / Segment.merge(side.steady).cpuPerCallMillis()));
        row(out, "first " + FIRST + " pods after start: create median (p99)", "-", webhooks,
                side -> String.format("%.2f ms (%.1f)", side.first.percentile(0.5), side.first.percentile(0.99)));
        row(out, parallel + " parallel creators: most connections", "-", webhooks,
                side -> String.valueOf(side.parallel.connections));
        row(out, parallel + " parallel creators: create median (p99)", "-", webhooks,
                side -> String.format("%.2f ms (%.1f)", side.parallel.percentile(0.5), side.parallel.percentile(0.99)));
        row(out, "RSS, threads at the end", "-", webhooks,
                side -> ProcessStats.status(side.pid, "VmRSS").replace(" kB", "") + " kB, " + ProcessStats.status(side.pid, "Threads"));
    }

    private static void row(PrintStream out, String label, String baseline, List<Side> webhooks,
            java.util.function.Function<Side, String> cell) {
        StringBuilder line = new StringBuilder("| " + label + " | " + baseline + " |");
        for (Side side : webhooks) {
            line.append(' ').append(cell.apply(side)).append(" |");
        }
        out.println(line);
    }

    /** One side of the comparison: a namespace, and the webhook process its pods call (none for the baseline). */
    private static final class Side {
        final String label;
        final String namespace;
        final long pid;
        final int port;
        final String webhook;
        final List<Segment> steady = new ArrayList<>();
        Segment first;
        Segment parallel;

        Side(String label, String namespace, long pid, int port, String webhook) {
            this.label = label;
            this.namespace = namespace;
            this.pid = pid;
            this.port = port;
            this.webhook = webhook;
        }
    }

    /** What one run of {@link #measure} saw, per side. */
    private static final class Metrics {
        final List<Side> sides;
        final long[][] latencies;
        final int[] connections;
        final long[] cpuBefore;
        final long[] cpu;
        String callsBefore;
        String callsAfter;

        Metrics(List<Side> sides, int count) {
            this.sides = sides;
            this.latencies = new long[sides.size()][count];
            this.connections = new int[sides.size()];
            this.cpuBefore = new long[sides.size()];
            this.cpu = new long[sides.size()];
        }

        void begin(String calls) {
            callsBefore = calls;
            for (int i = 0; i < sides.size(); i++) {
                cpuBefore[i] = cpuNanos(sides.get(i).pid);
            }
        }

        void end(String calls) {
            callsAfter = calls;
            for (int i = 0; i < sides.size(); i++) {
                cpu[i] = cpuNanos(sides.get(i).pid) - cpuBefore[i];
            }
        }

        Segment of(Side side) {
            int i = sides.indexOf(side);
            double calls = 0;
            double seconds = 0;
            if (side.webhook != null) {
                calls = metric(callsAfter, CALLS + "_count", side.webhook) - metric(callsBefore, CALLS + "_count",
                        side.webhook);
                seconds = metric(callsAfter, CALLS + "_sum", side.webhook) - metric(callsBefore, CALLS + "_sum",
                        side.webhook);
            }
            return new Segment(latencies[i], cpu[i], calls, seconds, connections[i]);
        }
    }

    /** Pod creates of one side: their latencies, the webhook's CPU time, and the API server's calls to it. */
    private record Segment(long[] latencies, long cpuNanos, double calls, double callSeconds, int connections) {
        static Segment merge(List<Segment> segments) {
            long[] all = segments.stream().flatMapToLong(segment -> Arrays.stream(segment.latencies)).toArray();
            return new Segment(all, segments.stream().mapToLong(Segment::cpuNanos).sum(),
                    segments.stream().mapToDouble(Segment::calls).sum(),
                    segments.stream().mapToDouble(Segment::callSeconds).sum(),
                    segments.stream().mapToInt(Segment::connections).max().orElse(0));
        }

        double percentile(double p) {
            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            return sorted[Math.max(0, (int) Math.ceil(sorted.length * p) - 1)] / 1e6;
        }

        double callsPerPod() {
            return calls / latencies.length;
        }

        double meanCallMillis() {
            return 1000 * callSeconds / calls;
        }

        double cpuPerPodMillis() {
            return cpuNanos / 1e6 / latencies.length;
        }

        double cpuPerCallMillis() {
            return cpuNanos / 1e6 / calls;
        }
    }
}
