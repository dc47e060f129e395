package io.rlimitinjector.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real {@code kubectl} against the test API server, for what only the CLI shows (warnings on stderr). */
public final class Kubectl {
    private static final long TIMEOUT_SECONDS = 60;

    private final Path executable;
    private final Path kubeconfig;

    Kubectl(Path executable, Path kubeconfig) {
        this.executable = executable;
        this.kubeconfig = kubeconfig;
    }

    public record Result(int exitCode, String stdout, String stderr) {
    }

    /** Runs {@code kubectl ARGS} with {@code stdin} as its input. */
    public Result run(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(executable.toString(), "--kubeconfig", kubeconfig.toString()));
        command.addAll(List.of(args));
        Path stdout = Files.createTempFile("kubectl", ".out");
        Path stderr = Files.createTempFile("kubectl", ".err");
        try {
            Process process = new ProcessBuilder(command)
                    .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
            try (OutputStream in = process.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("kubectl " + String.join(" ", args) + " timed out");
            }
            return new Result(process.exitValue(), Files.readString(stdout), Files.readString(stderr));
        } finally {
            Files.delete(stdout);
            Files.delete(stderr);
        }
    }
}
