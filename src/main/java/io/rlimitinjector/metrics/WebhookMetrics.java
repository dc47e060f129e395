package io.rlimitinjector.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.rlimitinjector.events.EventObserver;
import io.rlimitinjector.events.EventResult;
import io.rlimitinjector.inject.Admission;
import io.rlimitinjector.mutation.ContainerDecision;
import io.rlimitinjector.registry.LookupObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The webhook's Prometheus metrics: what it decided, how long it took, when its certificate expires, and the JVM.
 * Labels are closed sets (outcomes, modes, skip reason codes), so no pod can blow up the series count.
 */
public final class WebhookMetrics implements LookupObserver, EventObserver {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Counter admissions = Counter.builder()
            .name("rlimit_injector_admissions_total")
            .help("Admission requests answered, by outcome: mutated, unchanged, ignored (not a pod creation), "
                    + "error (admitted unchanged after an internal failure), bad-request (unreadable, 4xx), "
                    + "busy (503 after waiting for a turn)")
            .labelNames("outcome")
            .register(registry);
    private final Counter wrapped = Counter.builder()
            .name("rlimit_injector_containers_wrapped_total")
            .help("Containers wrapped by the launcher, by mode")
            .labelNames("mode")
            .register(registry);
    private final Counter skipped = Counter.builder()
            .name("rlimit_injector_containers_skipped_total")
            .help("Containers left alone, by reason code")
            .labelNames("reason")
            .register(registry);
    private final Counter registryLookups = Counter.builder()
            .name("rlimit_injector_registry_lookups_total")
            .help("Image config lookups that went to a registry, by result: found or failed")
            .labelNames("result")
            .register(registry);
    private final Counter registryCacheHits = Counter.builder()
            .name("rlimit_injector_registry_cache_hits_total")
            .help("Image config lookups answered from the cache or by a lookup already in flight")
            .register(registry);
    private final Counter events = Counter.builder()
            .name("rlimit_injector_events_total")
            .help("Kubernetes Events on pod owners (with --events), by result: sent, suppressed (same owner and "
                    + "reason within the window), no-owner (pod without a controller), dropped (queue full), failed")
            .labelNames("result")
            .register(registry);
    private final Histogram duration = Histogram.builder()
            .name("rlimit_injector_admission_duration_seconds")
            .help("Time to answer one admission request, from body read to response written")
            .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
            .classicOnly()
            .register(registry);

    private final FutureTask<Void> jvmMetrics = new FutureTask<>(() -> JvmMetrics.builder().register(registry), null);

    public WebhookMetrics(Supplier<Instant> certificateNotAfter) {
        GaugeWithCallback.builder()
                .name("rlimit_injector_certificate_expiry_timestamp_seconds")
                .help("When the serving certificate in use expires, as a Unix time")
                .callback(callback -> callback.call(certificateNotAfter.get().getEpochSecond()))
                .register(registry);
        // The JVM collectors load JMX, a fifth of the start-up: registered on a thread of their own, which the
        // first scrape waits for.
        Thread thread = new Thread(jvmMetrics, "jvm-metrics");
        thread.setDaemon(true);
        thread.start();
    }

    /** The launcher image check's answer, for a webhook that checks it. */
    public void watchLauncherImage(BooleanSupplier pullable) {
        GaugeWithCallback.builder()
                .name("rlimit_injector_launcher_image_pullable")
                .help("1 when the last check could pull the launcher image, 0 while pods are admitted unchanged "
                        + "(launcher-image-unavailable)")
                .callback(callback -> callback.call(pullable.getAsBoolean() ? 1 : 0))
                .register(registry);
    }

    public void record(Admission admission, long durationNanos) {
        admissions.labelValues(admission.outcome().label()).inc();
        if (admission.mutation() != null) {
            for (ContainerDecision decision : admission.mutation().decisions()) {
                if (decision.isWrapped()) {
                    wrapped.labelValues(decision.mode()).inc();
                } else {
                    skipped.labelValues(decision.reason()).inc();
                }
            }
        }
        duration.observe(durationNanos / 1e9);
    }

    public void recordBadRequest() {
        admissions.labelValues("bad-request").inc();
    }

    public void recordBusy() {
        admissions.labelValues("busy").inc();
    }

    /** Admission requests answered so far with this outcome. */
    public long admissions(String outcome) {
        return (long) admissions.labelValues(outcome).get();
    }

    /** All admission requests answered so far, whatever their outcome. */
    public long admissionCount() {
        return (long) admissions.collect().getDataPoints().stream().mapToDouble(point -> point.getValue()).sum();
    }

    @Override
    public void cacheHit() {
        registryCacheHits.inc();
    }

    @Override
    public void fetched(boolean found) {
        registryLookups.labelValues(found ? "found" : "failed").inc();
    }

    @Override
    public void counted(EventResult result) {
        events.labelValues(result.label()).inc();
    }

    /** Events with this result so far. */
    public long events(EventResult result) {
        return (long) events.labelValues(result.label()).get();
    }

    public String contentType() {
        return writer.getContentType();
    }

    public byte[] scrape() throws InterruptedException {
        try {
            jvmMetrics.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("registering the JVM metrics failed", e.getCause());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory cannot fail", e);
        }
        return out.toByteArray();
    }
}
