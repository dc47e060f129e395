package io.rlimitinjector.certs;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code self} certificate mode: every replica runs this. One sync reads (or creates) the shared Secret,
 * rotates the CA when due, makes the webhook configuration trust the bundle, and only then reissues the serving
 * certificate if due, and writes it where the HTTPS server reloads it from.
 */
public final class SelfManagedCertificate {
    private static final Logger LOG = LoggerFactory.getLogger(SelfManagedCertificate.class);

    private final CertificateSecret secret;
    private final WebhookCaBundle caBundle;
    private final RotationPlan plan;
    private final ServingFiles files;
    private final Clock clock;

    public SelfManagedCertificate(CertificateSecret secret, WebhookCaBundle caBundle, RotationPlan plan,
            ServingFiles files, Clock clock) {
        this.secret = secret;
        this.caBundle = caBundle;
        this.plan = plan;
        this.files = files;
        this.clock = clock;
    }

    /** One pass; safe to run on every replica at once, and again after any failure. */
    public CertificateState sync() throws IOException, GeneralSecurityException {
        Instant now = clock.instant();
        CertificateSecret.Versioned current = secret.readOrCreate(() -> plan.initial(now));
        CertificateState rotated = plan.rotateCa(current.state(), now);
        if (!rotated.bundle().equals(current.state().bundle())) {
            current = secret.update(current, rotated);
            LOG.info("CA bundle in the Secret now holds {} CA(s)", current.state().bundle().size());
        }
        if (caBundle.trust(current.state().bundle(), now)) {
            LOG.info("patched the webhook configuration's caBundle");
        }
        CertificateState reissued = plan.reissueServing(current.state(), now);
        if (reissued != current.state()) {
            current = secret.update(current, reissued);
            LOG.info("serving certificate in the Secret valid until {}", current.state().serving().notAfter());
        }
        files.write(current.state());
        return current.state();
    }
}
