package io.rlimitinjector.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.rlimitinjector.tls.ClientAuthentication;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without client authentication a forged review can name any namespace, so {@code serve} refuses the features that
 * read or write in the namespace a request names (pull secrets, Events) unless {@code --client-ca} is given.
 */
class ClientAuthFlagsTest {
    @TempDir
    Path directory;

    @Test
    void namespaceActionsWithoutAClientCaAreRefused() {
        for (Options options : List.of(options(List.of("--read-pull-secrets"), Map.of()),
                options(List.of("--events"), Map.of()),
                options(List.of(), Map.of("RLIMIT_INJECTOR_READ_PULL_SECRETS", "true")),
                options(List.of(), Map.of("RLIMIT_INJECTOR_EVENTS", "true")))) {
            assertThatThrownBy(() -> ClientAuthFlags.read(options)).isInstanceOf(Options.UsageException.class)
                    .hasMessageContaining("needs --client-ca").hasMessageContaining("namespace");
        }
    }

    /** Refused before anything starts: the usage exit code, not a missing certificate file or an API server. */
    @Test
    void serveRefusesThemBeforeStartingAnything() {
        PrintStream stderr = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(Main.run(List.of("serve", "--read-pull-secrets", "--tls-cert", directory.resolve("none.crt")
                    .toString()))).isEqualTo(2);
        } finally {
            System.setErr(stderr);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8)).contains("--read-pull-secrets needs --client-ca");
    }

    @Test
    void withAClientCaTheyAreAllowed() throws Exception {
        Path ca = Files.writeString(directory.resolve("ca.crt"), "PEM");
        assertThat(ClientAuthFlags.read(options(List.of("--read-pull-secrets", "--events", "--client-ca",
                ca.toString(), "--client-names", "kube-apiserver, apiserver.example"), Map.of())))
                .contains(new ClientAuthentication(ca, Set.of("kube-apiserver", "apiserver.example")));
    }

    @Test
    void withoutFlagsAnyClientMayConnect() {
        assertThat(ClientAuthFlags.read(options(List.of(), Map.of()))).isEmpty();
    }

    @Test
    void namesWithoutACaAndAnUnreadableCaAreUsageErrors() {
        assertThatThrownBy(() -> ClientAuthFlags.read(options(List.of("--client-names", "x"), Map.of())))
                .hasMessageContaining("--client-names needs --client-ca");
        assertThatThrownBy(() -> ClientAuthFlags.read(options(List.of("--client-ca",
                directory.resolve("missing.crt").toString()), Map.of())))
                .hasMessageContaining("cannot be read");
    }

    private static Options options(List<String> args, Map<String, String> env) {
        return Options.parse(args, ServeCommand.FLAGS, ServeCommand.SWITCHES, env);
    }
}
