package io.rlimitinjector.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ImageReferenceTest {
    private static final String DIGEST = "sha256:" + "a".repeat(64);

    @Test
    void normalisesDockerHubNamesAsTheKubeletDoes() {
        assertThat(ImageReference.parse("python").toString()).isEqualTo("docker.io/library/python:latest");
        assertThat(ImageReference.parse("python:3.12").toString()).isEqualTo("docker.io/library/python:3.12");
        assertThat(ImageReference.parse("fluent/fluent-bit:3").toString()).isEqualTo("docker.io/fluent/fluent-bit:3");
        assertThat(ImageReference.parse("index.docker.io/library/node:20").toString())
                .isEqualTo("docker.io/library/node:20");
    }

    @Test
    void keepsOtherRegistriesPortsAndDigests() {
        ImageReference pinned = ImageReference.parse("localhost:5000/team/app:1@" + DIGEST);
        assertThat(pinned.registry()).isEqualTo("localhost:5000");
        assertThat(pinned.repository()).isEqualTo("team/app");
        assertThat(pinned.manifestReference()).isEqualTo(DIGEST);
        assertThat(pinned.isPinned()).isTrue();
        assertThat(ImageReference.parse("ghcr.io/org/app").manifestReference()).isEqualTo("latest");
        assertThat(ImageReference.parse("registry.local/app@" + DIGEST).tag()).isNull();
    }

    @Test
    void refusesWhatCouldNotBeAnImage() {
        assertThatThrownBy(() -> ImageReference.parse("Upper/Case")).hasMessageContaining("repository");
        assertThatThrownBy(() -> ImageReference.parse("app@sha256:../../x")).hasMessageContaining("digest");
        assertThatThrownBy(() -> ImageReference.parse("app:bad/tag?")).isInstanceOf(IllegalArgumentException.class);
    }
}
