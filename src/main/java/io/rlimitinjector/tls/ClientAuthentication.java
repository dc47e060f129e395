package io.rlimitinjector.tls;

import java.nio.file.Path;
import java.util.Set;

/**
 * Who may call the webhook: clients presenting a certificate signed by a CA in {@code caFile} and, when
 * {@code names} is not empty, naming one of them as its subject CN or a DNS name. The API server presents such a
 * certificate when its admission configuration gives it one for the webhook.
 *
 * @param caFile PEM bundle of the CAs that sign the API server's client certificate; reloaded when it changes
 * @param names allowed CNs and DNS names, compared ignoring case; empty allows any certificate the CAs signed
 */
public record ClientAuthentication(Path caFile, Set<String> names) {
    public ClientAuthentication {
        names = Set.copyOf(names);
    }
}
