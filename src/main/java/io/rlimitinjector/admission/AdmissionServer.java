package io.rlimitinjector.admission;

import io.rlimitinjector.metrics.WebhookMetrics;
import io.rlimitinjector.tls.ReloadingTlsContext;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's HTTPS endpoint: {@code POST /mutate}, {@code GET /healthz}, {@code GET /readyz} and
 * {@code GET /metrics}. There is no
 * plain-HTTP listener at all. It reports ready only after a built-in request has gone through the whole mutation
 * path, so the first real pod does not pay for class loading.
 */
public final class AdmissionServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdmissionServer.class);

    private final ReloadingTlsContext tls;
    private final AdmissionLog log = new AdmissionLog(System.out);
    private final WebhookMetrics metrics;
    private final Consumer<Admission> afterAdmission;
    private final AtomicBoolean ready = new AtomicBoolean();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AdmissionSlots slots;
    private final Server jetty;

    private AdmissionServer(ServerSettings settings, AdmissionReviewHandler handler, ReloadingTlsContext tls,
            WebhookMetrics metrics, Consumer<Admission> afterAdmission) {
        this.slots = new AdmissionSlots(handler, ServerSettings.MAX_CONCURRENT_ADMISSIONS,
                ServerSettings.MAX_LOOKUP_WAITS);
        this.tls = tls;
        this.metrics = metrics;
        this.afterAdmission = afterAdmission;
        Routes routes = new Routes()
                .post("/mutate", this::mutate)
                .get("/healthz", request -> Answer.text(200, "ok"))
                .get("/readyz", request -> ready.get() ? Answer.text(200, "ok") : Answer.text(503, "warming up"))
                .get("/metrics", request -> new Answer(200, metrics.contentType(), metrics.scrape()));
        this.jetty = HttpsServer.create(settings, tls, closingConnectionsWhileDraining(routes));
    }

    /** Starts listening, warms the mutation path up, then reports ready. */
    public static AdmissionServer start(ServerSettings settings, AdmissionReviewHandler handler,
            ReloadingTlsContext tls) {
        return start(settings, handler, tls, new WebhookMetrics(tls::notAfter), WarmUp.start(handler),
                admission -> { });
    }

    /**
     * The same, recording into metrics that other parts (the registry client) record into too, reporting ready once
     * a warm-up the caller started early has gone through, and handing each answered admission (not the warm-up) to
     * {@code afterAdmission}, which must return quickly and not throw: it runs on the request's thread.
     */
    public static AdmissionServer start(ServerSettings settings, AdmissionReviewHandler handler,
            ReloadingTlsContext tls, WebhookMetrics metrics, WarmUp warmUp, Consumer<Admission> afterAdmission) {
        AdmissionServer server = new AdmissionServer(settings, handler, tls, metrics, afterAdmission);
        try {
            server.jetty.start();
            warmUp.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
            throw new IllegalStateException("interrupted while starting", e);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        } catch (Exception e) {
            server.close();
            throw new IllegalStateException("HTTPS did not start: " + e.getMessage(), e);
        }
        server.ready.set(true);
        return server;
    }

    public int port() {
        return ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
    }

    /** What {@code /metrics} serves; the built-in warm-up request is not counted in it. */
    public WebhookMetrics metrics() {
        return metrics;
    }

    public boolean isReady() {
        return ready.get();
    }

    private Answer mutate(Request request) throws InterruptedException {
        long start = System.nanoTime();
        // Outside the try: a body refused unread is no bad AdmissionReview, and Routes closes its connection.
        byte[] body = RequestBody.read(request);
        Admission admission;
        try {
            admission = slots.admit(body);
        } catch (BadAdmissionRequest e) {
            metrics.recordBadRequest();
            return Answer.text(e.status(), e.getMessage());
        } catch (AdmissionSlots.Busy e) {
            metrics.recordBusy();
            return Answer.text(503, "webhook busy; try again");
        }
        byte[] review = AdmissionReviewHandler.toBytes(admission);
        long duration = System.nanoTime() - start;
        // Recorded before the answer is written: whoever has the answer finds it in the metrics.
        metrics.record(admission, duration);
        log.write(admission, duration);
        afterAdmission.accept(admission);
        return Answer.json(review);
    }

    /** While draining, each answer tells its client to close the connection and reconnect, to another replica. */
    private Handler closingConnectionsWhileDraining(Handler next) {
        return new Handler.Wrapper(next) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                if (draining.get()) {
                    response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
                }
                return super.handle(request, response, callback);
            }
        };
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
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("stopping HTTPS failed: {}", e.toString());
        }
        tls.close();
        log.close();
    }
}
