package io.rlimitinjector.check;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlimitinjector.certs.CertificateAuthority;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificateCheckTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");

    @Test
    void theCaThatSignedTheCertificateVerifiesIt() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("ca", NOW, Duration.ofDays(30));
        String serving = ca.issue(List.of("svc.ns.svc"), NOW, Duration.ofDays(10)).certificatePem();

        assertThat(CertificateCheck.compare(ca.certificatePem(), serving, NOW).verified()).isTrue();
    }

    @Test
    void aBundleWithTheOldAndTheNewCaVerifiesTheNewCertificate() throws Exception {
        CertificateAuthority old = CertificateAuthority.create("old", NOW, Duration.ofDays(30));
        CertificateAuthority current = CertificateAuthority.create("new", NOW, Duration.ofDays(30));
        String serving = current.issue(List.of("svc.ns.svc"), NOW, Duration.ofDays(10)).certificatePem();

        assertThat(CertificateCheck.compare(old.certificatePem() + current.certificatePem(), serving, NOW).verified())
                .isTrue();
    }

    @Test
    void anotherCaDoesNotAndSaysWhoSigned() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("ca", NOW, Duration.ofDays(30));
        CertificateAuthority other = CertificateAuthority.create("other", NOW, Duration.ofDays(30));
        String serving = other.issue(List.of("svc.ns.svc"), NOW, Duration.ofDays(10)).certificatePem();

        CertificateCheck check = CertificateCheck.compare(ca.certificatePem(), serving, NOW);
        assertThat(check.verified()).isFalse();
        assertThat(check.detail()).contains("CN=other");
    }

    @Test
    void anExpiredCertificateAndAnEmptyBundleDoNot() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("ca", NOW, Duration.ofDays(30));
        String serving = ca.issue(List.of("svc.ns.svc"), NOW, Duration.ofDays(1)).certificatePem();

        assertThat(CertificateCheck.compare(ca.certificatePem(), serving, NOW.plus(Duration.ofDays(2))).detail())
                .contains("expired");
        assertThat(CertificateCheck.compare(null, serving, NOW).verified()).isFalse();
    }
}
