package io.rlimitinjector.cli;

import io.rlimitinjector.tls.ClientAuthentication;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code --client-ca} and {@code --client-names}: which callers of {@code /mutate} are the API server. Also the rule
 * that features acting on the namespace a request names need them: without client authentication anyone who reaches
 * the port can send a review naming any namespace, so the webhook would read that namespace's pull secrets or write
 * Events there on their word.
 */
final class ClientAuthFlags {
    static final Set<String> NAMES = Set.of("client-ca", "client-names");
    /** The {@code serve} switches that read or write in the namespace of each request. */
    static final List<String> NAMESPACE_ACTIONS = List.of("read-pull-secrets", "events");
    static final String USAGE = """
              --client-ca FILE              PEM CAs of the API server's client certificate: a caller without a
                                            certificate they signed is refused at the TLS handshake. Give the API
                                            server the certificate in its admission configuration (kubeConfigFile).
                                            Reloaded when the file changes. Required by --read-pull-secrets and
                                            --events, which act on the namespace a request names
              --client-names LIST           allowed subject CNs or DNS names of that certificate, comma-separated
                                            (default: any the CAs signed)
            """;

    private ClientAuthFlags() {
    }

    /** Empty without {@code --client-ca}; refuses the flags that need it then. */
    static Optional<ClientAuthentication> read(Options options) {
        String caFile = options.get("client-ca", null);
        Set<String> names = Arrays.stream(options.get("client-names", "").split(","))
                .map(String::trim).filter(name -> !name.isEmpty()).collect(Collectors.toSet());
        if (caFile == null) {
            if (!names.isEmpty()) {
                throw new Options.UsageException("--client-names needs --client-ca");
            }
            for (String action : NAMESPACE_ACTIONS) {
                if (options.has(action)) {
                    throw new Options.UsageException("--" + action + " needs --client-ca: it acts on the namespace"
                            + " each request names, and without client authentication anyone who reaches the"
                            + " webhook could name any namespace");
                }
            }
            return Optional.empty();
        }
        if (!Files.isReadable(Path.of(caFile))) {
            throw new Options.UsageException("--client-ca " + caFile + " cannot be read");
        }
        return Optional.of(new ClientAuthentication(Path.of(caFile), names));
    }
}
