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
        assertThatThrownBy(() -> ImageReference.parse("r.local/app@sha1:" + "a".repeat(40))).hasMessageContaining("digest");
        assertThatThrownBy(() -> ImageReference.parse("r.local/app@sha256:" + "A".repeat(64)))
                .hasMessageContaining("digest");
        assertThatThrownBy(() -> ImageReference.parse("r.local#frag/app:1")).hasMessageContaining("registry host");
        assertThatThrownBy(() -> ImageReference.parse("user:pw.x@evil.example/app:1"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsSha512DigestsAndIpv6Registries() {
        String sha512 = "sha512:" + "b".repeat(128);
        assertThat(ImageReference.parse("[::1]:5000/app@" + sha512).registry()).isEqualTo("[::1]:5000");
        assertThat(ImageReference.parse("[::1]:5000/app@" + sha512).digest()).isEqualTo(sha512);
    }
}
