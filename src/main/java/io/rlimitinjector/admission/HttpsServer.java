package io.rlimitinjector.admission;

import io.rlimitinjector.tls.ReloadingTlsContext;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The Jetty server a webhook runs in, with no layer between its HTTPS listener and the handler: the webhook and
 * the benchmark's floor both run in it, so the floor measures the same stack.
 */
public final class HttpsServer {
    private HttpsServer() {
    }

    /** Not started. From stop on, new requests get 503 while the ones in flight finish, within the stop timeout. */
    public static Server create(ServerSettings settings, ReloadingTlsContext tls, Handler handler) {
        Server server = new Server(threadPool());
        server.addConnector(HttpsConnector.create(server, tls, settings));
        // Nothing compresses answers: the API server's Go client asks for gzip, but a few KiB on the cluster network
        // cost less than deflating them.
        server.setHandler(new GracefulHandler(handler));
        server.setStopTimeout(ServerSettings.STOP_TIMEOUT.toMillis());
        return server;
    }

    /** A bounded pool, named for thread dumps; how many requests are parsed at once is bounded separately. */
    private static QueuedThreadPool threadPool() {
        QueuedThreadPool pool = new QueuedThreadPool(ServerSettings.MAX_THREADS, 4);
        pool.setName("admission");
        return pool;
    }
}
