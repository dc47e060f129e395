package io.rlimitinjector.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlimitinjector.certs.CertificateAuthority;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The handshake's check of a client certificate, without a handshake. */
class ClientTrustTest {
    @Test
    void namesAreTheSubjectCnAndTheDnsNamesNotTheIps() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("ca", Duration.ofHours(1));
        X509Certificate certificate = leaf(ca.issue(List.of("APIServer.Example", "api.internal", "10.0.0.1"),
                Duration.ofHours(1)));
        assertThat(ClientTrust.names(certificate)).containsExactly("apiserver.example", "apiserver.example",
                "api.internal");
    }

    @Test
    void anAllowedDnsNameIsEnoughAndOtherNamesAreRefused() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("ca", Duration.ofHours(1));
        X509Certificate[] chain = {leaf(ca.issueClient("kube-apiserver-admission", Duration.ofHours(1)))};
        new ClientTrust(List.of(ca.certificate()), Set.of("Kube-APIServer-Admission")).checkClientTrusted(chain, "EC");
        assertThatThrownBy(() -> new ClientTrust(List.of(ca.certificate()), Set.of("other"))
                .checkClientTrusted(chain, "EC")).isInstanceOf(CertificateException.class)
                .hasMessageContaining("not one of the allowed names");
    }

    /** A serving certificate (extended key usage serverAuth only) is no client certificate, whatever signed it. */
    @Test
    void aCertificateForServersOnlyIsRefused() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("ca", Duration.ofHours(1));
        X509Certificate[] chain = {leaf(ca.issue(List.of("kube-apiserver-admission"), Duration.ofHours(1)))};
        assertThatThrownBy(() -> new ClientTrust(List.of(ca.certificate()), Set.of()).checkClientTrusted(chain, "EC"))
                .isInstanceOf(CertificateException.class);
    }

    @Test
    void theWarmUpCertificatePassesOnlyWhileAdmitted() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("ca", Duration.ofHours(1));
        CertificateAuthority own = CertificateAuthority.create("warm-up", Duration.ofHours(1));
        X509Certificate[] chain = {leaf(own.issueClient("warm-up", Duration.ofHours(1)))};
        ClientTrust trust = new ClientTrust(List.of(ca.certificate()), Set.of("kube-apiserver"));
        trust.admitWarmUp(chain[0]);
        trust.checkClientTrusted(chain, "EC");
        assertThat(trust.getAcceptedIssuers()).isEmpty();
        trust.endWarmUp();
        assertThatThrownBy(() -> trust.checkClientTrusted(chain, "EC")).isInstanceOf(CertificateException.class);
        assertThat(trust.getAcceptedIssuers()).containsExactly(ca.certificate());
    }

    @Test
    void anEmptyCaFileIsRefused() {
        assertThatThrownBy(() -> new ClientTrust(List.of(), Set.of())).isInstanceOf(GeneralSecurityException.class);
    }

    private static X509Certificate leaf(CertificateAuthority.IssuedCertificate issued) throws Exception {
        return PemIdentity.certificates(issued.certificatePem()).get(0);
    }
}
