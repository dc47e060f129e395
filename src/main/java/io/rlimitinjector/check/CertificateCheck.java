package io.rlimitinjector.check;

import io.rlimitinjector.tls.PemIdentity;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/**
 * Whether a webhook's caBundle verifies its serving certificate, as the API server would before it sends a review.
 *
 * @param verified true: verifies; false: does not; null: not checked, {@code detail} says why
 */
public record CertificateCheck(Boolean verified, String detail) {

    public static CertificateCheck notChecked(String why) {
        return new CertificateCheck(null, why);
    }

    /** Compares the caBundle (PEM) with the serving certificate (PEM, leaf first) at {@code now}. */
    public static CertificateCheck compare(String caBundlePem, String servingPem, Instant now) {
        List<X509Certificate> authorities;
        List<X509Certificate> serving;
        try {
            authorities = caBundlePem == null ? List.of() : PemIdentity.certificates(caBundlePem);
            serving = servingPem == null ? List.of() : PemIdentity.certificates(servingPem);
        } catch (GeneralSecurityException e) {
            return new CertificateCheck(false, "a certificate does not parse: " + e.getMessage());
        }
        if (authorities.isEmpty()) {
            return new CertificateCheck(false, "the caBundle is empty: the API server cannot trust the webhook");
        }
        if (serving.isEmpty()) {
            return notChecked("the serving certificate is empty");
        }
        X509Certificate leaf = serving.get(0);
        if (leaf.getNotAfter().toInstant().isBefore(now)) {
            return new CertificateCheck(false, "the serving certificate expired at " + leaf.getNotAfter().toInstant());
        }
        for (X509Certificate authority : authorities) {
            try {
                leaf.verify(authority.getPublicKey());
                authority.checkValidity(Date.from(now));
                return new CertificateCheck(true, "the caBundle verifies the serving certificate (valid until "
                        + leaf.getNotAfter().toInstant() + ")");
            } catch (GeneralSecurityException e) {
                // Not this one; a bundle may hold the old and the new CA during a rotation.
            }
        }
        return new CertificateCheck(false, "no CA in the caBundle signed the serving certificate (issuer "
                + leaf.getIssuerX500Principal().getName() + ")");
    }
}
