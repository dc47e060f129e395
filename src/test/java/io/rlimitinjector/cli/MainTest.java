package io.rlimitinjector.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import org.junit.jupiter.api.Test;

class MainTest {
    @Test
    void aFailureIsDescribedWithItsCauses() {
        Exception failure = new IllegalStateException("An error has occurred.",
                new InvocationTargetException(new NoClassDefFoundError("io/example/Job")));
        assertThat(Main.describe(failure)).isEqualTo("An error has occurred.: InvocationTargetException: io/example/Job");
    }

    @Test
    void aCauseAlreadyInTheMessageIsNotRepeated() {
        Exception failure = new IllegalStateException("reading tls.key: disk gone", new IOException("disk gone"));
        assertThat(Main.describe(failure)).isEqualTo("reading tls.key: disk gone");
    }

    @Test
    void aLoopingCauseChainEnds() {
        IOException first = new IOException("first");
        IOException second = new IOException("second", first);
        first.initCause(second);
        assertThat(Main.describe(new IllegalStateException("failed", first))).isEqualTo("failed: first: second");
    }
}
