package io.rlimitinjector.admission;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.rlimitinjector.tls.ReloadingTlsContext;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's HTTPS endpoint: {@code POST /mutate}, {@code GET /healthz} and {@code GET /readyz}. There is no
 * plain-HTTP listener at all. It reports ready only after a built-in request has gone through the whole mutation
 * path, so the first real pod does not pay for class loading.
 */
public final class AdmissionServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdmissionServer.class);
    private static final String WARM_UP_REVIEW = "/warmup-review.json";

    private final AdmissionReviewHandler handler;
    private final ReloadingTlsContext tls;
    private final AdmissionLog log = new AdmissionLog(System.out);
    private final AdmissionCounts counts = new AdmissionCounts();
    private final AtomicBoolean ready = new AtomicBoolean();
    private final Javalin app;

    private AdmissionServer(ServerSettings settings, AdmissionReviewHandler handler, ReloadingTlsContext tls) {
        this.handler = handler;
        this.tls = tls;
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            config.http.maxRequestSize = ServerSettings.MAX_BODY_BYTES;
            config.jetty.modifyServer(AdmissionServer::stopGracefully);
            config.jetty.addConnector((server, http) -> httpsConnector(server, http, settings));
            config.routes.post("/mutate", this::mutate);
            config.routes.get("/healthz", ctx -> ctx.result("ok"));
            config.routes.get("/readyz", ctx -> {
                ctx.status(ready.get() ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
                ctx.result(ready.get() ? "ok" : "warming up");
            });
            config.routes.exception(BadAdmissionRequest.class, (e, ctx) -> {
                counts.record(AdmissionCounts.BAD_REQUEST);
                ctx.status(e.status()).result(e.getMessage());
            });
        });
    }

    /** Starts listening, warms the mutation path up, then reports ready. */
    public static AdmissionServer start(ServerSettings settings, AdmissionReviewHandler handler,
            ReloadingTlsContext tls) {
        AdmissionServer server = new AdmissionServer(settings, handler, tls);
        server.app.start();
        server.warmUp();
        return server;
    }

    public int port() {
        return ((ServerConnector) app.jettyServer().server().getConnectors()[0]).getLocalPort();
    }

    public boolean isReady() {
        return ready.get();
    }

    /** The requests answered on {@code /mutate} since start; the built-in warm-up request is not one of them. */
    public AdmissionCounts counts() {
        return counts;
    }

    private void mutate(Context ctx) {
        long start = System.nanoTime();
        byte[] body = ctx.bodyAsBytes();
        Admission admission = handler.handle(body);
        ctx.contentType("application/json").result(AdmissionReviewHandler.toBytes(admission));
        counts.record(admission.outcome());
        log.write(admission, System.nanoTime() - start);
    }

    private void warmUp() {
        try (InputStream review = AdmissionServer.class.getResourceAsStream(WARM_UP_REVIEW)) {
            Admission admission = handler.handle(review.readAllBytes());
            if (!"mutated".equals(admission.outcome())) {
                throw new IllegalStateException("warm-up pod was not mutated: " + admission.outcome());
            }
            ready.set(true);
        } catch (IOException e) {
            throw new IllegalStateException("warm-up review missing from the jar", e);
        }
    }

    /** From stop on, new requests get 503 while the ones in flight finish, within the stop timeout. */
    private static void stopGracefully(Server server) {
        server.setStopTimeout(ServerSettings.STOP_TIMEOUT.toMillis());
        server.setHandler(new GracefulHandler(server.getHandler()));
    }

    private ServerConnector httpsConnector(Server server, HttpConfiguration http, ServerSettings settings) {
        SecureRequestCustomizer secure = new SecureRequestCustomizer();
        secure.setSniHostCheck(false);
        http.addCustomizer(secure);
        http.setSendServerVersion(false);
        ServerConnector connector = new ServerConnector(server,
                new SslConnectionFactory(tls.factory(), "http/1.1"), new HttpConnectionFactory(http));
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        connector.setIdleTimeout(ServerSettings.IDLE_TIMEOUT.toMillis());
        return connector;
    }

    /** Stops taking requests, lets those in flight finish within the stop timeout, then stops. */
    @Override
    public void close() {
        ready.set(false);
        LOG.info("stopping: finishing requests in flight");
        app.stop();
        tls.close();
    }
}
