package io.rlimitinjector.certs;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlimitinjector.tls.PemIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingFilesTest {

    @Test
    void writesAPairTheServerLoadsAndLeavesUnchangedFilesAlone(@TempDir Path directory) throws Exception {
        ServingFiles files = new ServingFiles(directory.resolve("tls.crt"), directory.resolve("tls.key"));
        RotationPlan plan = new RotationPlan(List.of("localhost"), Duration.ofDays(3));
        CertificateState state = plan.initial(Instant.now());

        files.write(state);
        PemIdentity served = PemIdentity.read(files.certificateFile(), files.keyFile());
        assertThat(served.chain()).isEqualTo(state.serving().chain());

        var modified = Files.getLastModifiedTime(files.certificateFile());
        Thread.sleep(20);
        files.write(state);
        assertThat(Files.getLastModifiedTime(files.certificateFile())).isEqualTo(modified);
        try (var listing = Files.list(directory)) {
            assertThat(listing.map(path -> path.getFileName().toString())).containsExactlyInAnyOrder("tls.crt", "tls.key");
        }
    }

    @Test
    void theKeyIsReadableByItsOwnerOnly(@TempDir Path directory) throws Exception {
        ServingFiles files = new ServingFiles(directory.resolve("tls.crt"), directory.resolve("tls.key"));
        RotationPlan plan = new RotationPlan(List.of("localhost"), Duration.ofDays(3));

        files.write(plan.initial(Instant.now()));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files.keyFile()))).isEqualTo("rw-------");
        files.write(plan.initial(Instant.now()));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files.keyFile()))).isEqualTo("rw-------");
        // A replaced key keeps the mode; the certificate is public but nobody else may change it.
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files.certificateFile())).substring(3))
                .doesNotContain("w");
    }
}
