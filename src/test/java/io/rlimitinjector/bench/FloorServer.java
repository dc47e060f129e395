package io.rlimitinjector.bench;

import io.rlimitinjector.admission.AdmissionReviewHandler;
import io.rlimitinjector.admission.Answer;
import io.rlimitinjector.admission.HttpsServer;
import io.rlimitinjector.admission.RequestBody;
import io.rlimitinjector.admission.Routes;
import io.rlimitinjector.admission.ServerSettings;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.tls.ReloadingTlsContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The benchmark's floor: the same JVM, Jetty server and TLS stack as the webhook, answering every
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
        HttpsServer.create(settings, tls, new Routes()
                .post("/mutate", request -> {
                    RequestBody.read(request);
                    return Answer.json(response);
                })
                .get("/readyz", request -> Answer.text(200, "ok"))).start();
    }
}
