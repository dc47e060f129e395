package io.rlimitinjector.admission;

import io.javalin.Javalin;
import io.rlimitinjector.metrics.WebhookMetrics;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * {@code GET /metrics}, {@code /healthz} and {@code /readyz} over plain HTTP/1.1 on a port of their own, as
 * controller-runtime serves metrics and probes apart from its webhooks. The kubelet's probes and Prometheus then
 * need no client certificate when the admission port asks for one, and nothing here accepts an AdmissionReview.
 */
final class MonitoringServer implements AutoCloseable {
    /** Probes and a scrape now and then: a few threads, apart from the admission pool. */
    private static final int MAX_THREADS = 8;

    private final Javalin app;

    private MonitoringServer(Javalin app) {
        this.app = app;
    }

    static MonitoringServer start(String host, int port, WebhookMetrics metrics, BooleanSupplier ready) {
        Javalin app = Javalin.create(config -> {
            HttpsApp.common(config);
            QueuedThreadPool pool = new QueuedThreadPool(MAX_THREADS, 2);
            pool.setName("monitoring");
            config.jetty.threadPool = pool;
            config.jetty.addConnector((server, http) -> {
                http.setSendServerVersion(false);
                ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
                connector.setHost(host);
                connector.setPort(port);
                connector.setIdleTimeout(ServerSettings.IDLE_TIMEOUT.toMillis());
                return connector;
            });
            config.routes
                    .get("/healthz", ctx -> HttpsApp.text(ctx, 200, "ok"))
                    .get("/readyz", ctx -> {
                        boolean now = ready.getAsBoolean();
                        HttpsApp.text(ctx, now ? 200 : 503, now ? "ok" : "not ready");
                    })
                    .get("/metrics", ctx -> ctx.contentType(metrics.contentType()).result(metrics.scrape()));
        });
        app.start();
        return new MonitoringServer(app);
    }

    int port() {
        return HttpsApp.port(app);
    }

    @Override
    public void close() {
        app.stop();
    }
}
