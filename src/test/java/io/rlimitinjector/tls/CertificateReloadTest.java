package io.rlimitinjector.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlimitinjector.admission.AdmissionReviewHandler;
import io.rlimitinjector.admission.AdmissionServer;
import io.rlimitinjector.admission.ServerSettings;
import io.rlimitinjector.certs.CertificateAuthority;
import io.rlimitinjector.inject.PodInjector;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.testing.TestTls;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Certificate rotation as Kubernetes does it, a {@code ..data} symlink swap, while clients keep opening fresh TLS
 * connections: every handshake succeeds, and the new certificate is served soon after the swap.
 */
class CertificateReloadTest {
    private static final Duration POLL = Duration.ofMillis(100);

    @TempDir
    Path certificates;

    @Test
    void rotationUnderTrafficFailsNoHandshakeAndBrokenFilesKeepTheOldCertificate() throws Exception {
        CertificateAuthority oldCa = CertificateAuthority.create("old-ca", Duration.ofHours(1));
        CertificateAuthority newCa = CertificateAuthority.create("new-ca", Duration.ofHours(1));
        TestTls tls = new TestTls(certificates);
        tls.publish(TestTls.localPair(oldCa));
        ReloadingTlsContext context = ReloadingTlsContext.watch(tls.certificateFile(), tls.keyFile(), POLL);
        AdmissionServer server = AdmissionServer.start(
                new ServerSettings("127.0.0.1", 0, 0, tls.certificateFile(), tls.keyFile(), POLL),
                new AdmissionReviewHandler(new PodInjector(new PodMutator(InjectionSettings.defaults()))),
                EntrypointResolver.NONE, context);
        // Clients trust both CAs, as the caBundle does during a rotation.
        SSLContext client = TestTls.trusting(oldCa.certificate(), newCa.certificate());
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Set<String> issuersSeen = ConcurrentHashMap.newKeySet();
        AtomicInteger handshakes = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        Runnable traffic = () -> {
            while (running.get()) {
                try {
                    issuersSeen.add(issuer(client, server.port()));
                    handshakes.incrementAndGet();
                } catch (Exception e) {
                    failures.add(e);
                }
            }
        };
        List<Thread> clients = List.of(new Thread(traffic), new Thread(traffic), new Thread(traffic));
        clients.forEach(Thread::start);
        try {
            waitFor(() -> handshakes.get() > 30);
            BigInteger before = servingSerial(client, server.port());

            // A half-written pair: the certificate is new, the key is cut short. The old pair stays in service.
            Path broken = Files.createTempDirectory(certificates, "broken");
            Files.writeString(broken.resolve("tls.crt"), newCa.issue(TestTls.LOCAL_NAMES, Duration.ofHours(1)).certificatePem());
            Files.writeString(broken.resolve("tls.key"), "-----BEGIN PRIVATE KEY-----\nMIGH");
            Files.copy(broken.resolve("tls.crt"), tls.certificateFile().toRealPath(), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(broken.resolve("tls.key"), tls.keyFile().toRealPath(), StandardCopyOption.REPLACE_EXISTING);
            Thread.sleep(POLL.toMillis() * 5);
            assertThat(servingSerial(client, server.port())).isEqualTo(before);

            tls.publish(TestTls.localPair(newCa));
            waitFor(() -> issuersSeen.contains("CN=new-ca"));
            int afterSwap = handshakes.get();
            waitFor(() -> handshakes.get() > afterSwap + 30);
        } finally {
            running.set(false);
            for (Thread thread : clients) {
                thread.join();
            }
            server.close();
        }
        assertThat(failures).isEmpty();
        assertThat(issuersSeen).containsExactlyInAnyOrder("CN=old-ca", "CN=new-ca");
        assertThat(context.notAfter()).isAfter(Instant.now());
    }

    /**
     * One fresh connection: handshake, a request answered in full (a GET of /mutate, refused with 405), and the issuer
     * of the certificate the server showed.
     */
    private static String issuer(SSLContext context, int port) throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            socket.startHandshake();
            X509Certificate served = (X509Certificate) socket.getSession().getPeerCertificates()[0];
            socket.getOutputStream().write(
                    "GET /mutate HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            if (!answer.startsWith("HTTP/1.1 405")) {
                throw new IOException("unexpected answer: " + answer.lines().findFirst().orElse(""));
            }
            return served.getIssuerX500Principal().getName();
        }
    }

    private static BigInteger servingSerial(SSLContext context, int port) throws IOException {
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.startHandshake();
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within 20 s");
            }
            Thread.sleep(20);
        }
    }
}
