package io.rlimitinjector.mutation;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlimitinjector.testing.Vectors;
import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The status shows what the launcher sets: both sides are checked against the same examples. */
class MemoryBudgetTest {
    static Stream<String> vectors() throws IOException {
        return Vectors.rows("rlimit-vectors.tsv");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void matchesTheLaunchersBudget(String vector) {
        String[] fields = vector.split("\t");
        long limit = Long.parseLong(fields[0]);
        double ratio = Double.parseDouble(fields[1]);

        assertThat(MemoryBudget.headroom(limit)).as("headroom").isEqualTo(Long.parseLong(fields[2]));
        assertThat(MemoryBudget.rlimit(limit, ratio)).as("rlimit").isEqualTo(Long.parseLong(fields[3]));
        assertThat(MemoryBudget.goSoftLimit(MemoryBudget.rlimit(limit, ratio))).as("GOMEMLIMIT")
                .isEqualTo(Long.parseLong(fields[4]));
    }
}
