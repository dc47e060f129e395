package io.rlimitinjector.testing;

import io.rlimitinjector.certs.CertificateAuthority;
import io.rlimitinjector.tls.PemIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A test CA and serving certificates laid out as the kubelet mounts a Secret: {@code tls.crt} and {@code tls.key}
 * are links into {@code ..data}, itself a link to a versioned directory, swapped atomically on update.
 */
public final class TestTls {
    public static final List<String> LOCAL_NAMES = List.of("localhost", "127.0.0.1");

    private final Path directory;
    private int version;

    public TestTls(Path directory) {
        this.directory = directory;
    }

    public Path certificateFile() {
        return directory.resolve("tls.crt");
    }

    public Path keyFile() {
        return directory.resolve("tls.key");
    }

    /** Publishes a new pair the way the kubelet does: new directory, then one atomic rename of {@code ..data}. */
    public void publish(CertificateAuthority.IssuedCertificate pair) throws IOException {
        version++;
        Path versioned = directory.resolve("..v" + version);
        Files.createDirectories(versioned);
        Files.writeString(versioned.resolve("tls.crt"), pair.certificatePem());
        Files.writeString(versioned.resolve("tls.key"), pair.keyPem());
        Path staging = directory.resolve("..data_tmp");
        Files.deleteIfExists(staging);
        Files.createSymbolicLink(staging, versioned.getFileName());
        Files.move(staging, directory.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String name : List.of("tls.crt", "tls.key")) {
            if (!Files.isSymbolicLink(directory.resolve(name))) {
                Files.createSymbolicLink(directory.resolve(name), Path.of("..data", name));
            }
        }
    }

    public static CertificateAuthority.IssuedCertificate localPair(CertificateAuthority ca) throws GeneralSecurityException {
        return ca.issue(LOCAL_NAMES, Duration.ofHours(1));
    }

    /** A server-side context for small test HTTPS servers that are not the webhook. */
    public static SSLContext serving(CertificateAuthority.IssuedCertificate pair) throws GeneralSecurityException, IOException {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(PemIdentity.parse(pair.certificatePem(), pair.keyPem()).keyStore(), new char[0]);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    public static SSLContext trusting(X509Certificate... authorities) throws GeneralSecurityException, IOException {
        return presenting(null, authorities);
    }

    /** A client context that trusts these CAs and presents this client certificate, or none when null. */
    public static SSLContext presenting(CertificateAuthority.IssuedCertificate client, X509Certificate... authorities)
            throws GeneralSecurityException, IOException {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        for (int i = 0; i < authorities.length; i++) {
            trust.setCertificateEntry("ca" + i, authorities[i]);
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        KeyManagerFactory keys = null;
        if (client != null) {
            keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(PemIdentity.parse(client.certificatePem(), client.keyPem()).keyStore(), new char[0]);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys == null ? null : keys.getKeyManagers(), factory.getTrustManagers(), null);
        return context;
    }
}
