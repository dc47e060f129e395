package io.rlimitinjector.admission;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.rlimitinjector.metrics.WebhookMetrics;
import io.rlimitinjector.tls.ReloadingTlsContext;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
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
    private final Javalin app;

    private AdmissionServer(ServerSettings settings, AdmissionReviewHandler handler, ReloadingTlsContext tls,
            WebhookMetrics metrics, Consumer<Admission> afterAdmission) {
        this.slots = new AdmissionSlots(handler, ServerSettings.MAX_CONCURRENT_ADMISSIONS,
                ServerSettings.MAX_LOOKUP_WAITS);
        this.tls = tls;
        this.metrics = metrics;
        this.afterAdmission = afterAdmission;
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = ServerSettings.MAX_BODY_BYTES;
            // The API server's Go client asks for gzip; a few KiB on the cluster network cost less than deflating.
            config.http.compressionStrategy = CompressionStrategy.NONE;
            config.jetty.threadPool = threadPool();
            config.jetty.modifyServer(AdmissionServer::stopGracefully);
            config.jetty.addConnector((server, http) -> HttpsConnector.create(server, http, tls, settings));
            config.routes.before(ctx -> {
                if (draining.get()) {
                    ctx.header("Connection", "close");
                }
            });
            config.routes.post("/mutate", this::mutate);
            config.routes.get("/healthz", ctx -> ctx.result("ok"));
            config.routes.get("/readyz", ctx -> {
                ctx.status(ready.get() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
                ctx.result(ready.get() ? "ok" : "warming up");
            });
            config.routes.get("/metrics", ctx -> ctx.contentType(metrics.contentType()).result(metrics.scrape()));
            config.routes.exception(BadAdmissionRequest.class, (e, ctx) -> {
                metrics.recordBadRequest();
                ctx.status(e.status()).result(e.getMessage());
            });
        });
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
        server.app.start();
        try {
            warmUp.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.close();
            throw new IllegalStateException("interrupted while warming up", e);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        server.ready.set(true);
        return server;
    }

    public int port() {
        return ((ServerConnector) app.jettyServer().server().getConnectors()[0]).getLocalPort();
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
        byte[] body = ctx.bodyAsBytes();
        Admission admission;
        try {
            admission = slots.admit(body);
        } catch (AdmissionSlots.Busy e) {
            metrics.recordBusy();
            ctx.status(HttpStatus.SERVICE_UNAVAILABLE).result("webhook busy; try again");
            return;
        }
        ctx.contentType("application/json").result(AdmissionReviewHandler.toBytes(admission));
        long duration = System.nanoTime() - start;
        metrics.record(admission, duration);
        log.write(admission, duration);
        afterAdmission.accept(admission);
    }

    /**
     * A bounded pool, named for thread dumps; how many requests are parsed at once is bounded separately.
     */
    private static QueuedThreadPool threadPool() {
        QueuedThreadPool pool = new QueuedThreadPool(ServerSettings.MAX_THREADS, 4);
        pool.setName("admission");
        return pool;
    }

    /** From stop on, new requests get 503 while the ones in flight finish, within the stop timeout. */
    private static void stopGracefully(Server server) {
        server.setStopTimeout(ServerSettings.STOP_TIMEOUT.toMillis());
        server.setHandler(new GracefulHandler(server.getHandler()));
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
        app.stop();
        tls.close();
        log.close();
    }
}
