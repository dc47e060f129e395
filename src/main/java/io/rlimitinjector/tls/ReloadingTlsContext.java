package io.rlimitinjector.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.TrustManager;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Jetty's server TLS context, fed from PEM files and reloaded when their content changes. Content, not mtime,
 * is compared, because Kubernetes updates a mounted Secret by swapping the {@code ..data} symlink. A pair that does
 * not load (half-written, mismatched) leaves the current certificate in service; the next change is tried again.
 * With {@link ClientAuthentication} the client CA file is watched the same way, and a client without a certificate
 * it accepts fails the handshake ({@link ClientTrust}).
 */
public final class ReloadingTlsContext implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingTlsContext.class);

    /**
     * Forward-secret AEAD suites only, ChaCha20-Poly1305 first: the chart runs the JVM with C1 alone, which has no
     * AES or GHASH intrinsics, and there AES-GCM in plain Java cost 40% of the webhook's throughput (hack/bench.sh:
     * 2,531 against 1,804 req/s with AES-256-GCM). AES-GCM stays for clients that offer nothing else.
     */
    private static final String[] CIPHER_SUITES = {
        "TLS_CHACHA20_POLY1305_SHA256", "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
        "TLS_ECDHE_(ECDSA|RSA)_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_(ECDSA|RSA)_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_(ECDSA|RSA)_WITH_AES_256_GCM_SHA384",
    };

    private final Path certificateFile;
    private final Path keyFile;
    private final Optional<Path> clientCaFile;
    /** Null without client authentication. */
    private final ClientTrust clientTrust;
    private final SslContextFactory.Server factory = new SslContextFactory.Server() {
        @Override
        protected TrustManager[] getTrustManagers(KeyStore trustStore, Collection<? extends CRL> crls)
                throws Exception {
            return clientTrust == null ? super.getTrustManagers(trustStore, crls) : new TrustManager[] {clientTrust};
        }
    };
    private final ScheduledExecutorService poller;
    private volatile byte[] loadedDigest;
    private volatile byte[] lastSeenDigest;
    private volatile Instant notAfter;

    private ReloadingTlsContext(Path certificateFile, Path keyFile, Optional<ClientAuthentication> clients,
            Duration pollInterval) throws IOException, GeneralSecurityException {
        this.certificateFile = certificateFile;
        this.keyFile = keyFile;
        this.clientCaFile = clients.map(ClientAuthentication::caFile);
        byte[] digest = digest();
        PemIdentity identity = PemIdentity.read(certificateFile, keyFile);
        this.clientTrust = clients.isEmpty() ? null : new ClientTrust(clientCas(), clients.get().names());
        factory.setNeedClientAuth(clientTrust != null);
        factory.setKeyStore(identity.keyStore());
        factory.setKeyStorePassword("");
        factory.setKeyManagerPassword("");
        factory.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        factory.setSniRequired(false);
        factory.setIncludeCipherSuites(CIPHER_SUITES);
        factory.setUseCipherSuitesOrder(true);
        loadedDigest = digest;
        lastSeenDigest = digest;
        notAfter = identity.notAfter();
        poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "tls-reload");
            thread.setDaemon(true);
            return thread;
        });
        long millis = pollInterval.toMillis();
        poller.scheduleWithFixedDelay(this::reloadIfChanged, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Loads the pair now, failing if it cannot, and watches it from then on; any client may connect. */
    public static ReloadingTlsContext watch(Path certificateFile, Path keyFile, Duration pollInterval)
            throws IOException, GeneralSecurityException {
        return watch(certificateFile, keyFile, Optional.empty(), pollInterval);
    }

    /** The same, and with {@code clients} present, only clients it accepts get past the handshake. */
    public static ReloadingTlsContext watch(Path certificateFile, Path keyFile, Optional<ClientAuthentication> clients,
            Duration pollInterval) throws IOException, GeneralSecurityException {
        return new ReloadingTlsContext(certificateFile, keyFile, clients, pollInterval);
    }

    public SslContextFactory.Server factory() {
        return factory;
    }

    /** Whether a client must present a certificate. */
    public boolean authenticatesClients() {
        return clientTrust != null;
    }

    /**
     * Lets a client presenting exactly this certificate through the handshake as well, until {@link #endWarmUp()}:
     * the webhook's own warm-up requests, whose key is made in the process and never leaves it.
     */
    public void admitWarmUp(X509Certificate certificate) {
        if (clientTrust != null) {
            clientTrust.admitWarmUp(certificate);
        }
    }

    public void endWarmUp() {
        if (clientTrust != null) {
            clientTrust.endWarmUp();
        }
    }

    /** Expiry of the certificate in service. */
    public Instant notAfter() {
        return notAfter;
    }

    void reloadIfChanged() {
        try {
            byte[] digest = digest();
            if (Arrays.equals(digest, loadedDigest) || Arrays.equals(digest, lastSeenDigest)) {
                return;
            }
            lastSeenDigest = digest;
            PemIdentity identity = PemIdentity.read(certificateFile, keyFile);
            if (clientTrust != null) {
                clientTrust.trust(clientCas());
            }
            factory.reload(server -> {
                try {
                    server.setKeyStore(identity.keyStore());
                } catch (GeneralSecurityException | IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            loadedDigest = digest;
            notAfter = identity.notAfter();
            LOG.info("reloaded TLS certificate from {}, valid until {}{}", certificateFile, notAfter,
                    clientCaFile.map(file -> ", and client CAs from " + file).orElse(""));
        } catch (Exception e) {
            LOG.warn("TLS certificate at {}{} not loaded, keeping the current one: {}", certificateFile,
                    clientCaFile.map(file -> " or client CAs at " + file).orElse(""), e.toString());
        }
    }

    private byte[] digest() throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(Files.readAllBytes(certificateFile));
            sha.update((byte) 0);
            sha.update(Files.readAllBytes(keyFile));
            if (clientCaFile.isPresent()) {
                sha.update((byte) 0);
                sha.update(Files.readAllBytes(clientCaFile.get()));
            }
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<X509Certificate> clientCas() throws IOException, GeneralSecurityException {
        return PemIdentity.certificates(Files.readString(clientCaFile.orElseThrow(), StandardCharsets.US_ASCII));
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
