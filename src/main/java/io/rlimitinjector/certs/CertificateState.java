package io.rlimitinjector.certs;

import io.rlimitinjector.tls.PemIdentity;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the self-managed Secret holds: the current CA with its key, the CA bundle the API server must trust (the
 * current CA first, then older ones not yet expired), and the serving certificate. The keys follow the
 * {@code kubernetes.io/tls} layout, so the Secret can also be mounted as is.
 */
public record CertificateState(CertificateAuthority ca, List<X509Certificate> bundle, PemIdentity serving) {
    static final String CA_BUNDLE = "ca.crt";
    static final String CA_KEY = "ca.key";
    static final String CERTIFICATE = "tls.crt";
    static final String KEY = "tls.key";

    public CertificateState {
        bundle = List.copyOf(bundle);
    }

    /** Reads the Secret's data; the first certificate of {@code ca.crt} is the one {@code ca.key} belongs to. */
    public static CertificateState fromData(Map<String, String> data) throws IOException, GeneralSecurityException {
        for (String key : List.of(CA_BUNDLE, CA_KEY, CERTIFICATE, KEY)) {
            if (data.get(key) == null) {
                throw new GeneralSecurityException("certificate Secret has no " + key);
            }
        }
        List<X509Certificate> bundle = PemIdentity.certificates(data.get(CA_BUNDLE));
        if (bundle.isEmpty()) {
            throw new GeneralSecurityException("certificate Secret has no CA certificate in " + CA_BUNDLE);
        }
        CertificateAuthority ca = CertificateAuthority.load(CertificateAuthority.pem(bundle.get(0)), data.get(CA_KEY));
        return new CertificateState(ca, bundle, PemIdentity.parse(data.get(CERTIFICATE), data.get(KEY)));
    }

    public Map<String, String> toData() {
        Map<String, String> data = new LinkedHashMap<>();
        data.put(CA_BUNDLE, bundlePem());
        data.put(CA_KEY, ca.keyPem());
        data.put(CERTIFICATE, servingCertificatePem());
        data.put(KEY, servingKeyPem());
        return data;
    }

    public String bundlePem() {
        return CertificateAuthority.pemAll(bundle);
    }

    public String servingCertificatePem() {
        return CertificateAuthority.pemAll(serving.chain());
    }

    public String servingKeyPem() {
        return CertificateAuthority.keyPem(serving.key());
    }

    /** The bundle without the CAs that expired by {@code now}; the current CA always stays. */
    List<X509Certificate> unexpiredBundle(Instant now) {
        List<X509Certificate> kept = new ArrayList<>();
        for (X509Certificate certificate : bundle) {
            if (certificate.equals(ca.certificate()) || certificate.getNotAfter().toInstant().isAfter(now)) {
                kept.add(certificate);
            }
        }
        return kept;
    }
}
