package io.rlimitinjector.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Docker config keys match registries as the kubelet matches them. */
class CredentialMatchingTest {
    @Test
    void dockerHubKeysInEveryFormMatchDockerHub() {
        for (String key : List.of("https://index.docker.io/v1/", "index.docker.io", "docker.io", "registry-1.docker.io")) {
            assertThat(RegistryCredential.of(key, "u", "p", "s").matches("docker.io", "library/python")).as(key).isTrue();
        }
    }

    @Test
    void pathsAndWildcardsNarrowAndWidenTheMatch() {
        RegistryCredential team = RegistryCredential.of("registry.local:5000/team", "u", "p", "s");
        RegistryCredential wildcard = RegistryCredential.of("*.example.com", "u", "p", "s");
        RegistryCredential host = RegistryCredential.of("https://registry.local:5000", "u", "p", "s");

        assertThat(team.matches("registry.local:5000", "team/app")).isTrue();
        assertThat(team.matches("registry.local:5000", "teams/app")).isFalse();
        assertThat(wildcard.matches("eu.example.com", "app")).isTrue();
        assertThat(wildcard.matches("example.com", "app")).isFalse();
        assertThat(host.matches("registry.local", "app")).isFalse();
        assertThat(team.specificity()).isGreaterThan(host.specificity());
        assertThat(host.specificity()).isGreaterThan(wildcard.specificity());
    }
}
