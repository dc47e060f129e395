package io.rlimitinjector.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Tab-separated examples in src/test/resources that the launcher's Go tests read too, so both sides agree. */
public final class Vectors {
    private Vectors() {
    }

    /** The file's rows, without comments and blank lines. */
    public static Stream<String> rows(String file) throws IOException {
        return Files.readAllLines(Path.of("src/test/resources", file)).stream()
                .filter(line -> !line.isBlank() && !line.startsWith("#"));
    }
}
