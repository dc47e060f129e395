package io.rlimitinjector.certs;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RotationPlanTest {
    private static final Duration VALIDITY = Duration.ofDays(30);
    private static final List<String> NAMES = List.of("webhook.ns.svc", "webhook.ns.svc.cluster.local");
    private final RotationPlan plan = new RotationPlan(NAMES, VALIDITY);
    private final Instant start = Instant.now();

    @Test
    void initialStateIsACaAndACertificateItSigned() throws Exception {
        CertificateState state = plan.initial(start);
        X509Certificate serving = state.serving().chain().get(0);
        serving.verify(state.ca().certificate().getPublicKey());
        assertThat(state.bundle()).containsExactly(state.ca().certificate());
        assertThat(serving.getSubjectAlternativeNames()).extracting(san -> (Object) san.get(1)).containsExactly(NAMES.toArray());
        assertThat(serving.getNotAfter()).isBeforeOrEqualTo(state.ca().certificate().getNotAfter());
    }

    @Test
    void nothingChangesWhileMoreThanAThirdIsLeft() throws Exception {
        CertificateState state = plan.initial(start);
        Instant later = start.plus(Duration.ofDays(19));
        CertificateState rotated = plan.rotateCa(state, later);
        assertThat(rotated.bundle()).isEqualTo(state.bundle());
        assertThat(rotated.ca()).isSameAs(state.ca());
        assertThat(plan.reissueServing(rotated, later)).isSameAs(rotated);
    }

    @Test
    void aDueCaJoinsTheBundleFirstThenTheCertificateFollowsAndTheOldCaLeavesWhenExpired() throws Exception {
        CertificateState state = plan.initial(start);
        Instant due = start.plus(Duration.ofDays(21));

        CertificateState newCa = plan.rotateCa(state, due);
        assertThat(newCa.bundle()).containsExactly(newCa.ca().certificate(), state.ca().certificate());
        assertThat(newCa.serving()).as("still the old certificate until the bundle is trusted")
                .isSameAs(state.serving());

        CertificateState reissued = plan.reissueServing(newCa, due);
        reissued.serving().chain().get(0).verify(newCa.ca().certificate().getPublicKey());
        assertThat(plan.rotateCa(reissued, due.plus(Duration.ofDays(1))).bundle()).hasSize(2);

        Instant oldCaExpired = start.plus(VALIDITY).plus(Duration.ofMinutes(1));
        assertThat(plan.rotateCa(reissued, oldCaExpired).bundle()).containsExactly(newCa.ca().certificate());
    }

    @Test
    void aCertificateForOtherNamesIsReissued() throws Exception {
        CertificateState state = new RotationPlan(List.of("old.ns.svc"), VALIDITY).initial(start);
        CertificateState reissued = plan.reissueServing(state, start);
        assertThat(reissued.serving().chain().get(0).getSubjectAlternativeNames()).extracting(san -> (Object) san.get(1))
                .containsExactly(NAMES.toArray());
        assertThat(reissued.ca()).isSameAs(state.ca());
    }

    @Test
    void theSecretDataRoundTrips() throws Exception {
        CertificateState state = plan.rotateCa(plan.initial(start), start.plus(Duration.ofDays(25)));
        CertificateState read = CertificateState.fromData(state.toData());
        assertThat(read.bundle()).isEqualTo(state.bundle());
        assertThat(read.ca().certificate()).isEqualTo(state.ca().certificate());
        assertThat(read.serving().chain()).isEqualTo(state.serving().chain());
        assertThat(read.serving().key().getEncoded()).isEqualTo(state.serving().key().getEncoded());
    }

    @Test
    void theWebhookBundleKeepsTheWantedCasAndOnlyTheNewestOtherOneUntilItExpires() throws Exception {
        Duration validity = Duration.ofDays(10);
        CertificateAuthority oldest = CertificateAuthority.create("oldest", start.minus(Duration.ofDays(3)), validity);
        CertificateAuthority previous = CertificateAuthority.create("previous", start.minus(Duration.ofDays(2)), validity);
        CertificateAuthority wanted = CertificateAuthority.create("wanted", start.minus(Duration.ofDays(1)), validity);
        String current = oldest.certificatePem() + previous.certificatePem();

        String merged = WebhookCaBundle.merged(current, List.of(wanted.certificate()), start);
        assertThat(merged).as("a Secret recreated twice").isEqualTo(wanted.certificatePem() + previous.certificatePem());
        assertThat(WebhookCaBundle.merged(merged, List.of(wanted.certificate()), start)).isEqualTo(merged);
        assertThat(WebhookCaBundle.merged(merged, List.of(previous.certificate()), start))
                .as("a replica on the older read agrees, so nobody patches back").isEqualTo(merged);
        assertThat(WebhookCaBundle.merged(merged, List.of(wanted.certificate()), start.plus(Duration.ofDays(8).plusHours(1))))
                .as("once the previous CA expired").isEqualTo(wanted.certificatePem());
    }
}
