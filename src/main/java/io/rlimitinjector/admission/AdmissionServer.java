package io.rlimitinjector.admission;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.rlimitinjector.inject.Admission;
import io.rlimitinjector.metrics.WebhookMetrics;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.tls.ReloadingTlsContext;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's endpoints: {@code POST /mutate} over HTTPS (HTTP/2 or HTTP/1.1), and {@code GET /healthz},
 * {@code GET /readyz} and {@code GET /metrics} over plain HTTP on a port of their own ({@link MonitoringServer}), so
 * the admission port can require the API server's client certificate. It reports ready only after
 * a built-in review has gone through the server itself until the JIT settled ({@link WarmUp}), so the first real pods
 * pay neither for class loading nor for compiling.
 */
public final class AdmissionServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdmissionServer.class);

    private final ReloadingTlsContext tls;
    private final AdmissionLog log = new AdmissionLog(System.out);
    private final WebhookMetrics metrics;
    private final Consumer<Admission> afterAdmission;
    private final AtomicBoolean ready = new AtomicBoolean();
    private final AtomicBoolean draining = new AtomicBoolean();
    /** Off while the server warms itself up through HTTPS: those admissions are not logged, counted or reported. */
    private final AtomicBoolean recording = new AtomicBoolean();
    /** The warm-up's connections, sent away once it is over: they would hold a thread's worth of nothing. */
    private final Set<Connection> warmUpConnections = ConcurrentHashMap.newKeySet();
    private final AdmissionSlots slots;
    private final Javalin app;
    private final MonitoringServer monitoring;

    private AdmissionServer(ServerSettings settings, AdmissionReviewHandler handler, EntrypointResolver resolver,
            ReloadingTlsContext tls, WebhookMetrics metrics, Consumer<Admission> afterAdmission) {
        this.slots = new AdmissionSlots(handler, resolver, ServerSettings.MAX_CONCURRENT_ADMISSIONS,
                ServerSettings.MAX_LOOKUP_WAITS);
        this.tls = tls;
        this.metrics = metrics;
        this.afterAdmission = afterAdmission;
        this.app = HttpsApp.create(settings, tls, routes -> routes
                .before(this::closeConnectionWhileDraining)
                .post("/mutate", this::mutate));
        // First, so the kubelet finds the webhook alive, and not ready, while it warms up.
        this.monitoring = MonitoringServer.start(settings.host(), settings.metricsPort(), metrics, ready::get);
    }

    /** Starts listening, warms the mutation path up, then reports ready; {@code resolver} looks images up. */
    public static AdmissionServer start(ServerSettings settings, AdmissionReviewHandler handler,
            EntrypointResolver resolver, ReloadingTlsContext tls) {
        return start(settings, handler, resolver, tls, new WebhookMetrics(tls::notAfter), WarmUp.start(handler),
                admission -> { });
    }

    /**
     * The same, recording into metrics that other parts (the registry client) record into too, reporting ready once
     * a warm-up the caller started early has gone through, and handing each answered admission (not the warm-up) to
     * {@code afterAdmission}, which must return quickly and not throw: it runs on the request's thread.
     */
    public static AdmissionServer start(ServerSettings settings, AdmissionReviewHandler handler,
            EntrypointResolver resolver, ReloadingTlsContext tls, WebhookMetrics metrics, WarmUp warmUp,
            Consumer<Admission> afterAdmission) {
        AdmissionServer server = new AdmissionServer(settings, handler, resolver, tls, metrics, afterAdmission);
        try {
            server.app.start();
            warmUp.await();
            int requests = WarmUp.throughHttps(server.loopback(), tls);
            LOG.info("warmed up through HTTPS with {} requests", requests);
            server.warmUpConnections.forEach(HttpsConnector::goAway);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
            throw new IllegalStateException("interrupted while starting", e);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        server.recording.set(true);
        server.ready.set(true);
        return server;
    }

    /** How this process reaches its own listener: its address, or loopback when it listens on all of them. */
    private URI loopback() {
        String host = HttpsApp.connector(app).getHost();
        boolean any = host == null || host.isEmpty() || host.equals("0.0.0.0") || host.equals("::");
        String address = any ? "127.0.0.1" : host.contains(":") ? "[" + host + "]" : host;
        return URI.create("https://" + address + ":" + port());
    }

    public int port() {
        return HttpsApp.port(app);
    }

    /** The plain-HTTP port of the metrics and the probes. */
    public int metricsPort() {
        return monitoring.port();
    }

    /** What {@code /metrics} serves; the built-in warm-up request is not counted in it. */
    public WebhookMetrics metrics() {
        return metrics;
    }

    public boolean isReady() {
        return ready.get();
    }

    private void mutate(Context ctx) throws InterruptedException {
        long start = System.nanoTime();
        // Outside the try: a body refused unread is no bad AdmissionReview, and its connection is closed.
        byte[] body = RequestBody.read(ctx);
        Admission admission;
        try {
            admission = slots.admit(body);
        } catch (BadAdmissionRequest e) {
            metrics.recordBadRequest();
            HttpsApp.text(ctx, e.status(), e.getMessage());
            return;
        } catch (AdmissionSlots.Busy e) {
            metrics.recordBusy();
            HttpsApp.text(ctx, 503, "webhook busy; try again");
            return;
        }
        byte[] review = ReviewWriter.bytes(admission);
        long duration = System.nanoTime() - start;
        if (recording.get()) {
            // Recorded before the answer is written: whoever has the answer finds it in the metrics.
            metrics.record(admission, duration);
            log.write(admission, duration);
            afterAdmission.accept(admission);
        } else {
            warmUpConnections.add(connection(ctx));
        }
        ctx.contentType("application/json").result(review);
    }

    /**
     * While draining, each answer tells its client to reconnect, to another replica: {@code Connection: close} on
     * HTTP/1.1, a GOAWAY on HTTP/2.
     */
    private void closeConnectionWhileDraining(Context ctx) {
        if (draining.get()) {
            ctx.header("Connection", "close");
            HttpsConnector.goAway(connection(ctx));
        }
    }

    private static Connection connection(Context ctx) {
        return ServletContextRequest.getServletContextRequest(ctx.req()).getConnectionMetaData().getConnection();
    }

    /**
     * The first step of a shutdown: for {@code delay}, keep answering but report not ready and close each connection
     * after its answer. Kubernetes meanwhile takes the pod out of the Service's endpoints, and callers holding a
     * kept-alive connection reconnect to another replica, so no request is written onto a connection that
     * {@link #close()} then cuts.
     */
    public void drain(Duration delay) {
        ready.set(false);
        draining.set(true);
        LOG.info("draining for {} s before stopping", delay.toSeconds());
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops taking requests, lets those in flight finish within the stop timeout, then stops. */
    @Override
    public void close() {
        ready.set(false);
        LOG.info("stopping: finishing requests in flight");
        try {
            app.stop();
        } catch (RuntimeException e) {
            LOG.warn("stopping HTTPS failed: {}", e.toString());
        }
        monitoring.close();
        tls.close();
        log.close();
    }
}
