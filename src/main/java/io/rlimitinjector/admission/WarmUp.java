package io.rlimitinjector.admission;

import io.rlimitinjector.certs.CertificateAuthority;
import io.rlimitinjector.inject.Admission;
import io.rlimitinjector.inject.Outcome;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.tls.PemIdentity;
import io.rlimitinjector.tls.ReloadingTlsContext;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The built-in AdmissionReview, sent through the webhook before it reports ready, so the first real pods do not pay
 * for loading and compiling. First once through the handler alone, bytes in to bytes out, on a thread of its own: it
 * overlaps with reading the certificates and starting HTTPS when the pod has a second core. Then, once HTTPS is up,
 * again and again through the server itself, as the API server calls it (TLS, HTTP/2, Javalin, the body, the slots
 * and the answer), until the JIT has nothing left to compile on that path.
 */
public final class WarmUp {
    /**
     * Requests in a row during which the JIT compiled (almost) nothing: under a millisecond of compiling, the
     * resolution the JVM reports it in. Compiling what the requests before made hot would otherwise fall on the
     * first pods: PERFORMANCE.md has the first 100 admissions after a start against the steady state.
     */
    static final int QUIET_REQUESTS = 20;
    /** A bound on the warm-up, should compiling never settle (a JVM without a JIT reports no time at all). */
    static final int MAX_HTTPS_REQUESTS = 1000;
    private static final String REVIEW = "/warmup-review.json";
    private static final Duration IDENTITY_VALIDITY = Duration.ofMinutes(10);

    private final FutureTask<Void> task;

    private WarmUp(AdmissionReviewHandler handler) {
        this.task = new FutureTask<>(() -> run(handler), null);
    }

    public static WarmUp start(AdmissionReviewHandler handler) {
        WarmUp warmUp = new WarmUp(handler);
        Thread thread = new Thread(warmUp.task, "warm-up");
        thread.setDaemon(true);
        thread.start();
        return warmUp;
    }

    /** Waits for the warm-up; a warm-up that failed is a broken build or configuration, so it fails the start. */
    void await() throws InterruptedException {
        try {
            task.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e.getCause());
        }
    }

    private static void run(AdmissionReviewHandler handler) {
        // The built-in pod names its programs, so it needs no image lookup.
        Admission admission = handler.handle(review(), EntrypointResolver.NONE);
        if (admission.outcome() != Outcome.MUTATED) {
            throw new IllegalStateException("warm-up pod was not mutated: " + admission.outcome().label());
        }
        ReviewWriter.bytes(admission);
    }

    /**
     * Posts the review to the server at {@code base} over HTTP/2, trusting exactly the certificate it serves (the
     * server is this process, reached by an address its certificate need not name); returns how many it sent. When
     * the server authenticates its clients, the requests present a certificate made for this warm-up alone, which the
     * server lets through only while it runs.
     */
    static int throughHttps(URI base, ReloadingTlsContext tls) throws InterruptedException {
        KeyManager[] identity = null;
        if (tls.authenticatesClients()) {
            PemIdentity client = clientIdentity();
            tls.admitWarmUp(client.chain().get(0));
            identity = keyManagers(client);
        }
        try {
            return send(base, HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                    .sslContext(context(identity, served(tls))).build());
        } finally {
            tls.endWarmUp();
        }
    }

    private static int send(URI base, HttpClient client) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve("/mutate"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(review())).build();
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long compiled = -1;
        int sent = 0;
        for (int quiet = 0; quiet < QUIET_REQUESTS && sent < MAX_HTTPS_REQUESTS; sent++) {
            HttpResponse<byte[]> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (IOException e) {
                throw new IllegalStateException("warm-up request through HTTPS failed: " + e, e);
            }
            if (response.statusCode() != 200) {
                throw new IllegalStateException("warm-up request through HTTPS got " + response.statusCode());
            }
            long compiledNow = jit == null ? 0 : jit.getTotalCompilationTime();
            quiet = compiledNow == compiled ? quiet + 1 : 0;
            compiled = compiledNow;
        }
        return sent;
    }

    private static byte[] review() {
        try (InputStream review = WarmUp.class.getResourceAsStream(REVIEW)) {
            return review.readAllBytes();
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("warm-up review missing from the jar", e);
        }
    }

    private static X509Certificate served(ReloadingTlsContext tls) {
        try {
            KeyStore store = tls.factory().getKeyStore();
            for (String alias : Collections.list(store.aliases())) {
                if (store.getCertificate(alias) instanceof X509Certificate certificate) {
                    return certificate;
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("serving certificate unreadable", e);
        }
        throw new IllegalStateException("no serving certificate");
    }

    /** A throw-away CA and client certificate: nothing outside this process can present them. */
    private static PemIdentity clientIdentity() {
        try {
            CertificateAuthority.IssuedCertificate issued = CertificateAuthority.create("rlimit-injector warm-up",
                    IDENTITY_VALIDITY).issueClient("rlimit-injector-warm-up", IDENTITY_VALIDITY);
            return PemIdentity.parse(issued.certificatePem(), issued.keyPem());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("warm-up client certificate", e);
        }
    }

    private static KeyManager[] keyManagers(PemIdentity identity) {
        try {
            KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            factory.init(identity.keyStore(), new char[0]);
            return factory.getKeyManagers();
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("warm-up client certificate", e);
        }
    }

    private static SSLContext context(KeyManager[] identity, X509Certificate served) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(identity, new X509ExtendedTrustManager[] {new OnlyThisCertificate(served)}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Trusts a server whose certificate is this one, whatever address it was reached by; no client at all. */
    private static final class OnlyThisCertificate extends X509ExtendedTrustManager {
        private final X509Certificate served;

        OnlyThisCertificate(X509Certificate served) {
            this.served = served;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain.length == 0 || !chain[0].equals(served)) {
                throw new CertificateException("not the certificate this server serves");
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("no client is trusted");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
