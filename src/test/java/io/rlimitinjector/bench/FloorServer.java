package io.rlimitinjector.bench;

import io.javalin.Javalin;
import io.javalin.compression.CompressionStrategy;
import io.rlimitinjector.admission.AdmissionReviewHandler;
import io.rlimitinjector.admission.HttpsConnector;
import io.rlimitinjector.admission.ServerSettings;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.tls.ReloadingTlsContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The benchmark's floor: the same JVM, Javalin, Jetty and TLS stack as the webhook, answering every
 * {@code POST /mutate} with the response the webhook gives for the benchmark's request, computed once.
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
                new AdmissionReviewHandler(new PodMutator(InjectionSettings.defaults(), EntrypointResolver.NONE));
        byte[] response = AdmissionReviewHandler.toBytes(handler.handle(Files.readAllBytes(Path.of(args[3]))));
        ServerSettings settings = new ServerSettings("127.0.0.1", port, Path.of(args[1]), Path.of(args[2]),
                Duration.ofMinutes(1));
        Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.http.compressionStrategy = CompressionStrategy.NONE;
            config.jetty.addConnector((server, http) -> HttpsConnector.create(server, http, tls, settings));
            config.routes.post("/mutate", ctx -> {
                ctx.bodyAsBytes();
                ctx.contentType("application/json").result(response);
            });
            config.routes.get("/readyz", ctx -> ctx.result("ok"));
        }).start();
    }
}
