package io.rlimitinjector.bench;

import io.rlimitinjector.admission.AdmissionReviewHandler;
import io.rlimitinjector.admission.HttpsConnector;
import io.rlimitinjector.admission.ReviewWriter;
import io.rlimitinjector.admission.ServerSettings;
import io.rlimitinjector.inject.PodInjector;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.tls.ReloadingTlsContext;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The benchmark's floor: the webhook's JVM, Jetty and TLS connector, with nothing between the connector and one
 * core handler that reads each request's body and answers every {@code POST /mutate} with the response the webhook
 * gives for the benchmark's request, computed once. The fastest TLS server the webhook's stack can be.
 *
 * <p>{@code java -cp ... FloorServer PORT CERT KEY REQUEST.json}
 */
public final class FloorServer {
    private FloorServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        ReloadingTlsContext tls = ReloadingTlsContext.watch(Path.of(args[1]), Path.of(args[2]), Duration.ofMinutes(1));
        AdmissionReviewHandler handler =
                new AdmissionReviewHandler(new PodInjector(new PodMutator(InjectionSettings.defaults())));
        byte[] review = ReviewWriter.bytes(handler.handle(Files.readAllBytes(Path.of(args[3])), EntrypointResolver.NONE));
        ServerSettings settings = new ServerSettings("127.0.0.1", port, 0, Path.of(args[1]), Path.of(args[2]),
                Duration.ofMinutes(1));
        QueuedThreadPool pool = new QueuedThreadPool(ServerSettings.MAX_THREADS, 4);
        Server server = new Server(pool);
        server.addConnector(HttpsConnector.create(server, new HttpConfiguration(), tls, settings));
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                Request.asInputStream(request).transferTo(OutputStream.nullOutputStream());
                boolean mutate = "POST".equals(request.getMethod());
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, mutate ? "application/json" : "text/plain");
                response.write(true, ByteBuffer.wrap(mutate ? review : "ok".getBytes()), callback);
                return true;
            }
        });
        server.start();
    }
}
