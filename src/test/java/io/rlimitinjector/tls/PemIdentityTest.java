package io.rlimitinjector.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The key encodings a kubernetes.io/tls Secret carries: cert-manager writes PKCS#1 or SEC1 unless told PKCS#8. */
class PemIdentityTest {
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"EC, pkcs8", "EC, traditional", "RSA, pkcs8", "RSA, traditional"})
    void readsEachKeyEncoding(String algorithm, String encoding) throws Exception {
        // BouncyCastle's keys, as its traditional (SEC1) encoding of a JDK EC key drops the curve.
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm, new BouncyCastleProvider());
        if (algorithm.equals("EC")) {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        }
        KeyPair pair = generator.generateKeyPair();
        String certificate = pem(selfSigned(pair));
        String key = encoding.equals("pkcs8")
                ? "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
                        + "\n-----END PRIVATE KEY-----\n"
                : pem(pair);
        assertThat(key).contains(encoding.equals("pkcs8") ? "BEGIN PRIVATE KEY" : "BEGIN " + algorithm + " PRIVATE KEY");
        PemIdentity identity = PemIdentity.parse(certificate, key);
        assertThat(identity.key().getAlgorithm()).isIn(algorithm, "ECDSA");
        assertThat(identity.chain()).hasSize(1);
    }

    @Test
    void certificatesAreReadInOrderAndOtherBlocksSkipped() throws Exception {
        X509Certificate first = selfSigned(KeyPairGenerator.getInstance("EC").generateKeyPair());
        X509Certificate second = selfSigned(KeyPairGenerator.getInstance("EC").generateKeyPair());
        String bundle = "# a comment, as CA bundles have\n" + pem(first)
                + pem(KeyPairGenerator.getInstance("EC").generateKeyPair()) + pem(second);
        assertThat(PemIdentity.certificates(bundle)).containsExactly(first, second);
        assertThat(PemIdentity.certificates("")).isEmpty();
    }

    /** A file caught half-written must fail to read, so the old certificate stays in use. */
    @Test
    void aCertificateCutShortIsAnError() throws Exception {
        String whole = pem(selfSigned(KeyPairGenerator.getInstance("EC").generateKeyPair()));
        assertThatThrownBy(() -> PemIdentity.certificates(whole.substring(0, whole.length() / 2)))
                .isInstanceOf(GeneralSecurityException.class);
        String cut = whole.substring(0, whole.indexOf("-----END"));
        assertThatThrownBy(() -> PemIdentity.certificates(cut.substring(0, cut.length() - 40) + "\n-----END CERTIFICATE-----\n"))
                .isInstanceOf(GeneralSecurityException.class);
    }

    private static X509Certificate selfSigned(KeyPair pair) throws Exception {
        X500Name name = new X500Name("CN=pem-test");
        Instant now = Instant.now();
        String signature = pair.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name, BigInteger.ONE,
                Date.from(now), Date.from(now.plus(Duration.ofHours(1))), name, pair.getPublic())
                .build(new JcaContentSignerBuilder(signature).build(pair.getPrivate())));
    }

    private static String pem(Object object) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }
}
