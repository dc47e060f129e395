package io.rlimitinjector.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What a registry sends is untrusted: manifests, configs and WWW-Authenticate headers either parse or give a
 * {@link RegistryException} with a reason; nothing else escapes. Under {@code mvn test} this replays the corpus in
 * {@code RegistryFuzzTestInputs}; {@code hack/fuzz.sh} fuzzes.
 */
class RegistryFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void manifestParsingNeverFailsUnexpectedly(byte[] body) {
        try {
            Manifest manifest = Manifest.parse(body);
            if (manifest instanceof Manifest.Index index) {
                assertThat(index.manifests()).isNotEmpty();
                Manifest.toRead(index).forEach(platform -> assertThat(platform.digest()).matches(ImageReference.DIGEST));
            } else {
                assertThat(((Manifest.Image) manifest).configDigest()).matches(ImageReference.DIGEST);
            }
        } catch (RegistryException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
        try {
            ConfigBlob.parse(body);
        } catch (RegistryException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }

    @FuzzTest(maxDuration = "10m")
    void authChallengeParsingNeverFails(byte[] header) {
        List<AuthChallenge> challenges = AuthChallenge.parse(new String(header, StandardCharsets.UTF_8));
        for (AuthChallenge challenge : challenges) {
            assertThat(challenge.scheme()).isNotEmpty().isLowerCase();
        }
    }
}
