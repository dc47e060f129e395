package io.rlimitinjector.certs;

import io.rlimitinjector.tls.PemIdentity;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority for the webhook's serving certificates: an ECDSA P-256 CA that issues server
 * certificates for the webhook's DNS names and IPs, and client certificates for the webhook's own warm-up.
 */
public final class CertificateAuthority {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyPair keys;
    private final X509Certificate certificate;

    private CertificateAuthority(KeyPair keys, X509Certificate certificate) {
        this.keys = keys;
        this.certificate = certificate;
    }

    /** A CA from its PEM certificate and key, as kept in the self-managed Secret. */
    public static CertificateAuthority load(String certificatePem, String keyPem)
            throws IOException, GeneralSecurityException {
        PemIdentity identity = PemIdentity.parse(certificatePem, keyPem);
        X509Certificate certificate = identity.chain().get(0);
        return new CertificateAuthority(new KeyPair(certificate.getPublicKey(), identity.key()), certificate);
    }

    public static CertificateAuthority create(String commonName, Duration validity) throws GeneralSecurityException {
        return create(commonName, Instant.now(), validity);
    }

    /** A CA valid from {@code now} (less a few minutes for clock skew) for {@code validity}. */
    public static CertificateAuthority create(String commonName, Instant now, Duration validity)
            throws GeneralSecurityException {
        KeyPair keys = newKeyPair();
        X500Name name = new X500Name("CN=" + commonName);
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial(),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), name, keys.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                    .addExtension(Extension.subjectKeyIdentifier, false,
                            utils.createSubjectKeyIdentifier(keys.getPublic()));
            return new CertificateAuthority(keys, sign(builder, keys));
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot build CA certificate", e);
        }
    }

    /**
     * A serving certificate for the given names; entries that parse as IP addresses become IP SANs. It never
     * outlives the CA, so dropping an expired CA from a bundle cannot strand a certificate it signed.
     */
    public IssuedCertificate issue(List<String> names, Duration validity) throws GeneralSecurityException {
        return issue(names, Instant.now(), validity);
    }

    public IssuedCertificate issue(List<String> names, Instant now, Duration validity) throws GeneralSecurityException {
        return issue(names.get(0), names, KeyPurposeId.id_kp_serverAuth, now, validity);
    }

    /**
     * A client certificate, such as an API server presents to a webhook that asks for one: {@code commonName} in
     * the subject and as a DNS name, for the TLS client purpose only.
     */
    public IssuedCertificate issueClient(String commonName, Duration validity) throws GeneralSecurityException {
        return issue(commonName, List.of(commonName), KeyPurposeId.id_kp_clientAuth, Instant.now(), validity);
    }

    private IssuedCertificate issue(String commonName, List<String> names, KeyPurposeId purpose, Instant now,
            Duration validity) throws GeneralSecurityException {
        KeyPair issued = newKeyPair();
        List<GeneralName> sans = new ArrayList<>();
        for (String name : names) {
            boolean ip = name.matches("[0-9.]+") || name.contains(":");
            sans.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, name));
        }
        try {
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(certificate,
                    serial(), Date.from(now.minus(Duration.ofMinutes(5))), notAfter(now.plus(validity)),
                    new X500Name("CN=" + commonName), issued.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose))
                    .addExtension(Extension.subjectAlternativeName, false,
                            new GeneralNames(sans.toArray(new GeneralName[0])))
                    .addExtension(Extension.authorityKeyIdentifier, false,
                            utils.createAuthorityKeyIdentifier(certificate));
            return new IssuedCertificate(pem(sign(builder, keys)), keyPem(issued.getPrivate()));
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot build certificate", e);
        }
    }

    public X509Certificate certificate() {
        return certificate;
    }

    public String keyPem() {
        return keyPem(keys.getPrivate());
    }

    static String keyPem(PrivateKey key) {
        try {
            return pem(new JcaPKCS8Generator(key, null).generate());
        } catch (IOException e) {
            throw new IllegalStateException("PKCS#8 encoding of an in-memory key cannot fail", e);
        }
    }

    private Date notAfter(Instant wanted) {
        Date caNotAfter = certificate.getNotAfter();
        return wanted.isAfter(caNotAfter.toInstant()) ? caNotAfter : Date.from(wanted);
    }

    public String certificatePem() {
        return pem(certificate);
    }

    /** A certificate and its key, PEM-encoded as in a {@code kubernetes.io/tls} Secret. */
    public record IssuedCertificate(String certificatePem, String keyPem) {
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, KeyPair signer) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
        } catch (OperatorCreationException e) {
            throw new GeneralSecurityException("cannot sign certificate", e);
        }
    }

    private static KeyPair newKeyPair() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
        return generator.generateKeyPair();
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM);
    }

    /** Certificates one after another, as a bundle or a chain is written. */
    static String pemAll(Collection<X509Certificate> certificates) {
        StringBuilder pem = new StringBuilder();
        certificates.forEach(certificate -> pem.append(pem(certificate)));
        return pem.toString();
    }

    static String pem(Object object) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        } catch (IOException e) {
            throw new IllegalStateException("PEM encoding to a string cannot fail", e);
        }
        return out.toString();
    }
}
