package io.rlimitinjector.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class AuthChallengeTest {
    @Test
    void readsDockerHubsBearerChallenge() {
        List<AuthChallenge> challenges = AuthChallenge.parse("Bearer realm=\"https://auth.docker.io/token\","
                + "service=\"registry.docker.io\",scope=\"repository:library/python:pull\"");

        assertThat(challenges).hasSize(1);
        assertThat(challenges.get(0).scheme()).isEqualTo("bearer");
        assertThat(challenges.get(0).param("realm")).isEqualTo("https://auth.docker.io/token");
        assertThat(challenges.get(0).param("service")).isEqualTo("registry.docker.io");
        assertThat(challenges.get(0).param("scope")).isEqualTo("repository:library/python:pull");
    }

    @Test
    void toleratesSpacingCaseCommasInQuotesEscapesAndSeveralChallenges() {
        List<AuthChallenge> challenges = AuthChallenge.parse("  basic REALM = \"a \\\"quoted\\\" realm\" , "
                + "BEARER realm=https://t.example/token,scope=\"repository:a/b:pull,push\",, error=invalid_token");

        assertThat(challenges).extracting(AuthChallenge::scheme).containsExactly("basic", "bearer");
        assertThat(challenges.get(0).param("realm")).isEqualTo("a \"quoted\" realm");
        assertThat(challenges.get(1).param("realm")).isEqualTo("https://t.example/token");
        assertThat(challenges.get(1).param("scope")).isEqualTo("repository:a/b:pull,push");
        assertThat(challenges.get(1).param("error")).isEqualTo("invalid_token");
    }

    @Test
    void garbageGivesNoChallengeAndNoError() {
        assertThat(AuthChallenge.parse("=\"\"\",,")).isEmpty();
        assertThat(AuthChallenge.parse("\"unterminated")).isEmpty();
        assertThat(AuthChallenge.parse(null)).isEmpty();
    }
}
