package io.rlimitinjector.certs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The PEM files the HTTPS server serves from and reloads when they change. Each file is replaced by a rename, so
 * the server never reads half a file; a certificate briefly paired with the old key fails the server's key check
 * and is retried on the next change. The key is readable by its owner only.
 */
public record ServingFiles(Path certificateFile, Path keyFile) {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");

    public void write(CertificateState state) throws IOException {
        replace(keyFile, state.servingKeyPem(), OWNER_ONLY);
        replace(certificateFile, state.servingCertificatePem(), PUBLIC);
    }

    private static void replace(Path file, String content, Set<PosixFilePermission> mode) throws IOException {
        if (Files.exists(file) && Files.readString(file, StandardCharsets.US_ASCII).equals(content)) {
            return;
        }
        Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        // Created with its mode, not changed after: the key is never readable by others, not even for a moment.
        Files.createFile(temporary, PosixFilePermissions.asFileAttribute(mode));
        Files.writeString(temporary, content, StandardCharsets.US_ASCII);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
