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

    /**
     * As the kubelet's URLsMatch (kubernetes pkg/credentialprovider/keyring.go): as many labels, each matching its
     * glob, and the same port or none on both sides. A wildcard key must not reach deeper subdomains, which another
     * team may run.
     */
    @Test
    void wildcardsMatchOneLabelAndPortsMatchExactly() {
        RegistryCredential wildcard = RegistryCredential.of("*.example.com", "u", "p", "s");
        RegistryCredential withPort = RegistryCredential.of("*.example.com:5000", "u", "p", "s");
        RegistryCredential middle = RegistryCredential.of("registry.*.example.com", "u", "p", "s");
        RegistryCredential partial = RegistryCredential.of("app*.example.com", "u", "p", "s");

        assertThat(wildcard.matches("a.example.com", "app")).isTrue();
        assertThat(wildcard.matches("A.Example.com", "app")).isTrue();
        assertThat(wildcard.matches("a.b.example.com", "app")).isFalse();
        assertThat(wildcard.matches("evil.a.example.com", "app")).isFalse();
        assertThat(wildcard.matches("a.example.com.evil.io", "app")).isFalse();
        assertThat(wildcard.matches("a.example.com:5000", "app")).isFalse();
        assertThat(withPort.matches("a.example.com:5000", "app")).isTrue();
        assertThat(withPort.matches("a.example.com", "app")).isFalse();
        assertThat(withPort.matches("a.example.com:5001", "app")).isFalse();
        assertThat(middle.matches("registry.eu.example.com", "app")).isTrue();
        assertThat(middle.matches("registry.eu.west.example.com", "app")).isFalse();
        assertThat(partial.matches("app1.example.com", "app")).isTrue();
        assertThat(partial.matches("web.example.com", "app")).isFalse();
        assertThat(RegistryCredential.of("[::1]:5000", "u", "p", "s").matches("[::1]:5000", "app")).isTrue();
        assertThat(RegistryCredential.of("[::1]", "u", "p", "s").matches("[::1]:5000", "app")).isFalse();
    }
}
