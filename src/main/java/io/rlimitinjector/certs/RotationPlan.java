package io.rlimitinjector.certs;

import io.rlimitinjector.tls.PemIdentity;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * When the self-managed CA and serving certificate are created and replaced; pure, so each step is testable
 * without an API server. Both live {@code validity} and are replaced once a third of it is left. A new CA joins the
 * bundle first and the serving certificate is reissued only once the API server trusts it (the caller patches the
 * bundle in between); the old CA stays in the bundle until it expires, which covers every replica still serving a
 * certificate it signed, since no certificate outlives its CA.
 */
public final class RotationPlan {
    private final List<String> names;
    private final Duration validity;

    /**
     * @param names DNS names (and IPs) the serving certificate must hold, the first one its common name
     */
    public RotationPlan(List<String> names, Duration validity) {
        if (names.isEmpty()) {
            throw new IllegalArgumentException("a serving certificate needs at least one name");
        }
        this.names = List.copyOf(names);
        this.validity = validity;
    }

    /** A new CA and a serving certificate it signed, for an empty cluster. */
    public CertificateState initial(Instant now) throws GeneralSecurityException {
        CertificateAuthority ca = CertificateAuthority.create(caName(now), now, validity);
        return new CertificateState(ca, List.of(ca.certificate()), issue(ca, now));
    }

    /** Adds a new CA at the head of the bundle when the current one is due, and drops expired ones. */
    public CertificateState rotateCa(CertificateState state, Instant now) throws GeneralSecurityException {
        List<X509Certificate> bundle = new ArrayList<>(state.unexpiredBundle(now));
        CertificateAuthority ca = state.ca();
        if (due(ca.certificate(), now)) {
            ca = CertificateAuthority.create(caName(now), now, validity);
            bundle.add(0, ca.certificate());
        }
        return new CertificateState(ca, bundle, state.serving());
    }

    /** Reissues the serving certificate when it is due, signed by another CA, or for other names. */
    public CertificateState reissueServing(CertificateState state, Instant now) throws GeneralSecurityException {
        X509Certificate serving = state.serving().chain().get(0);
        boolean current = serving.getIssuerX500Principal().equals(state.ca().certificate().getSubjectX500Principal())
                && verifies(serving, state.ca().certificate())
                && !due(serving, now)
                && names(serving).equals(new HashSet<>(names));
        return current ? state : new CertificateState(state.ca(), state.bundle(), issue(state.ca(), now));
    }

    private PemIdentity issue(CertificateAuthority ca, Instant now) throws GeneralSecurityException {
        CertificateAuthority.IssuedCertificate issued = ca.issue(names, now, validity);
        try {
            return PemIdentity.parse(issued.certificatePem(), issued.keyPem());
        } catch (IOException e) {
            throw new GeneralSecurityException("cannot read back a certificate just issued", e);
        }
    }

    private boolean due(X509Certificate certificate, Instant now) {
        return !now.plus(validity.dividedBy(3)).isBefore(certificate.getNotAfter().toInstant());
    }

    private static boolean verifies(X509Certificate certificate, X509Certificate issuer) {
        try {
            certificate.verify(issuer.getPublicKey());
            return true;
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private static Set<String> names(X509Certificate certificate) throws CertificateParsingException {
        Set<String> names = new HashSet<>();
        Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
        if (sans != null) {
            sans.forEach(san -> names.add(String.valueOf(san.get(1))));
        }
        return names;
    }

    /** Each CA gets its own name, so a bundle of several is readable and the issuer check tells them apart. */
    private static String caName(Instant now) {
        return "rlimit-injector-ca-" + now.getEpochSecond();
    }
}
