package io.rlimitinjector.admission;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.javalin.config.JavalinConfig;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.rlimitinjector.tls.ReloadingTlsContext;
import java.util.function.Consumer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Javalin as the webhook's admission endpoint runs in it: HTTPS only, HTTP/2 or HTTP/1.1; exact paths, and 405 with
 * {@code Allow} for a known path's other methods; answers never compressed; a bounded thread pool; a body sent slower
 * than {@link ServerSettings#MIN_REQUEST_BYTES_PER_SECOND} refused with 408; and a graceful stop, in which new
 * requests get 503 while those in flight finish. A refused request gets its status and a short plain-text message; an
 * endpoint that fails gets a 500 whose cause goes to the log, not into the answer.
 */
public final class HttpsApp {
    private static final Logger LOG = LoggerFactory.getLogger(HttpsApp.class);
    private static final String TEXT = "text/plain; charset=utf-8";

    private HttpsApp() {
    }

    /** Not started; {@code routes} adds the endpoints. */
    public static Javalin create(ServerSettings settings, ReloadingTlsContext tls, Consumer<RoutesConfig> routes) {
        return Javalin.create(config -> {
            common(config);
            config.jetty.threadPool = threadPool();
            // Enforced by Jetty's servlet layer, which Javalin runs on, on every read of a body.
            config.jetty.modifyHttpConfiguration(
                    http -> http.setMinRequestDataRate(ServerSettings.MIN_REQUEST_BYTES_PER_SECOND));
            config.jetty.addConnector((server, http) -> HttpsConnector.create(server, http, tls, settings));
            config.jetty.modifyServer(HttpsApp::stopGracefully);
            config.routes.exception(BadAdmissionRequest.class, (e, ctx) -> {
                // The rest of the body may be unread, so the connection cannot carry another request.
                ctx.header("Connection", "close");
                text(ctx, e.status(), e.getMessage());
            });
            config.routes.exception(Exception.class, (e, ctx) -> {
                LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                text(ctx, 500, "internal error; the webhook's log has the cause");
            });
            routes.accept(config.routes);
        });
    }

    /**
     * What every endpoint of the webhook shares, the plain-HTTP ones too ({@link MonitoringServer}): exact paths,
     * 405 for a known path's other methods, no compression, no banner.
     */
    static void common(JavalinConfig config) {
        config.startup.showJavalinBanner = false;
        config.startup.showOldJavalinVersionWarning = false;
        config.startup.startupWatcherEnabled = false;
        config.router.ignoreTrailingSlashes = false;
        config.http.prefer405over404 = true;
        // The API server's Go client asks for gzip; a few KiB on the cluster network cost less than deflating them.
        config.http.compressionStrategy = CompressionStrategy.NONE;
    }

    /** The port the started app listens on. */
    public static int port(Javalin app) {
        return connector(app).getLocalPort();
    }

    static ServerConnector connector(Javalin app) {
        return (ServerConnector) app.jettyServer().server().getConnectors()[0];
    }

    /** A short message for whoever reads the caller's logs, such as why a request was refused. */
    static void text(Context ctx, int status, String message) {
        ctx.status(status).contentType(TEXT).result(message);
    }

    /** Bounded and named for thread dumps; how many requests are parsed at once is bounded separately. */
    private static QueuedThreadPool threadPool() {
        QueuedThreadPool pool = new QueuedThreadPool(ServerSettings.MAX_THREADS, 4);
        pool.setName("admission");
        return pool;
    }

    private static void stopGracefully(Server server) {
        server.setStopTimeout(ServerSettings.STOP_TIMEOUT.toMillis());
        server.setHandler(new GracefulHandler(server.getHandler()));
    }
}
