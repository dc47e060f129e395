package io.rlimitinjector.mutation;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MemoryQuantityTest {
    @ParameterizedTest
    @CsvSource({
        "1.5Gi, 1610612736",
        "1e9, 1000000000",
        "129e6, 129000000",
        "512M, 512000000",
        "128974848, 128974848",
        "1Ki, 1024",
        "64Mi, 67108864",
        "1E3, 1000",
        "0.5k, 500",
        "1500m, 2",
        ".5Gi, 536870912",
        "1Ei, 1152921504606846976",
    })
    void parsesTheApiGrammarIntoBytesRoundingUp(String quantity, long bytes) {
        assertThat(MemoryQuantity.toBytes(quantity)).hasValue(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "12 GB", "1GB", "Gi", "-1Gi", "0", "1.2.3", "1e", "1e999", "8Ei", "abc", "1gi", "1 Gi"})
    void rejectsWhatIsNotAPositiveQuantity(String quantity) {
        assertThat(MemoryQuantity.toBytes(quantity)).isEmpty();
    }
}
