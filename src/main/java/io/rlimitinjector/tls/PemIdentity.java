package io.rlimitinjector.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.spec.PBEParameterSpec;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * A serving certificate chain and its private key, read from PEM files as Kubernetes mounts them from a
 * {@code kubernetes.io/tls} Secret. PKCS#8, PKCS#1 RSA and SEC1 EC keys are accepted.
 */
public record PemIdentity(List<X509Certificate> chain, PrivateKey key) {
    static final char[] NO_PASSWORD = new char[0];
    private static final String ALIAS = "serving";

    public PemIdentity {
        chain = List.copyOf(chain);
    }

    /** Reads and checks the pair; a half-written or mismatched pair is an exception, never a broken identity. */
    public static PemIdentity read(Path certificateFile, Path keyFile) throws IOException, GeneralSecurityException {
        return parse(Files.readString(certificateFile, StandardCharsets.US_ASCII),
                Files.readString(keyFile, StandardCharsets.US_ASCII));
    }

    public static PemIdentity parse(String certificatePem, String keyPem) throws IOException, GeneralSecurityException {
        List<X509Certificate> chain = certificates(certificatePem);
        if (chain.isEmpty()) {
            throw new GeneralSecurityException("no certificate in PEM");
        }
        PrivateKey key = privateKey(keyPem);
        requireMatch(chain.get(0), key);
        return new PemIdentity(chain, key);
    }

    /**
     * An in-memory key store for the TLS stack, never written anywhere. Its key is protected with one PBKDF2 round:
     * the password is empty anyway, and the default 10,000 rounds cost about 90 ms of each start and reload.
     */
    public KeyStore keyStore() throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        KeyStore.ProtectionParameter protection = new KeyStore.PasswordProtection(NO_PASSWORD,
                "PBEWithHmacSHA256AndAES_256", new PBEParameterSpec(new byte[16], 1));
        store.setEntry(ALIAS, new KeyStore.PrivateKeyEntry(key, chain.toArray(new Certificate[0])), protection);
        return store;
    }

    public Instant notAfter() {
        return chain.get(0).getNotAfter().toInstant();
    }

    /** Every CERTIFICATE block, in order; anything else in the text is skipped. */
    public static List<X509Certificate> certificates(String pem) throws GeneralSecurityException {
        CertificateFactory factory = CertificateFactory.getInstance("X.509");
        List<X509Certificate> certificates = new ArrayList<>();
        for (byte[] der : blocks(pem, "CERTIFICATE")) {
            certificates.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
        }
        return certificates;
    }

    /**
     * PKCS#8 ({@code PRIVATE KEY}) with the JDK alone, which is what serving needs at start-up; PKCS#1 and SEC1
     * through BouncyCastle, whose parser costs a tenth of a second of class loading the first time.
     */
    private static PrivateKey privateKey(String pem) throws IOException, GeneralSecurityException {
        for (byte[] der : blocks(pem, "PRIVATE KEY")) {
            for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
                try {
                    return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
                } catch (InvalidKeySpecException notThisAlgorithm) {
                    // try the next one
                }
            }
        }
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (Reader reader = new StringReader(pem); PEMParser parser = new PEMParser(reader)) {
            Object item;
            while ((item = parser.readObject()) != null) {
                if (item instanceof PEMKeyPair pair) {
                    return converter.getPrivateKey(pair.getPrivateKeyInfo());
                }
                if (item instanceof PrivateKeyInfo info) {
                    return converter.getPrivateKey(info);
                }
            }
        }
        throw new GeneralSecurityException("no unencrypted private key in PEM");
    }

    /** The DER contents of each block of this type; a block cut short or not Base64 is an exception. */
    private static List<byte[]> blocks(String pem, String type) throws GeneralSecurityException {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        List<byte[]> blocks = new ArrayList<>();
        for (int from = pem.indexOf(begin); from >= 0; from = pem.indexOf(begin, from)) {
            int to = pem.indexOf(end, from);
            if (to < 0) {
                throw new GeneralSecurityException(type + " block without its END line");
            }
            try {
                blocks.add(Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to)));
            } catch (IllegalArgumentException e) {
                throw new GeneralSecurityException(type + " block is not Base64", e);
            }
            from = to + end.length();
        }
        return blocks;
    }

    /** Signs and verifies one message, which works for any key type and catches a key written for another cert. */
    private static void requireMatch(X509Certificate certificate, PrivateKey key) throws GeneralSecurityException {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> throw new GeneralSecurityException("unsupported key algorithm " + key.getAlgorithm());
        };
        byte[] message = "rlimit-injector key check".getBytes(StandardCharsets.US_ASCII);
        Signature signer = Signature.getInstance(algorithm);
        signer.initSign(key);
        signer.update(message);
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance(algorithm);
        verifier.initVerify(certificate.getPublicKey());
        verifier.update(message);
        if (!verifier.verify(signature)) {
            throw new GeneralSecurityException("private key does not match the certificate");
        }
    }
}
