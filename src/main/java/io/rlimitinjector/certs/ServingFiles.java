package io.rlimitinjector.certs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The PEM files the HTTPS server serves from and reloads when they change. Each file is replaced by a rename, so
 * the server never reads half a file; a certificate briefly paired with the old key fails the server's key check
 * and is retried on the next change.
 */
public record ServingFiles(Path certificateFile, Path keyFile) {

    public void write(CertificateState state) throws IOException {
        replace(keyFile, state.servingKeyPem());
        replace(certificateFile, state.servingCertificatePem());
    }

    private static void replace(Path file, String content) throws IOException {
        if (Files.exists(file) && Files.readString(file, StandardCharsets.US_ASCII).equals(content)) {
            return;
        }
        Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.writeString(temporary, content, StandardCharsets.US_ASCII);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
