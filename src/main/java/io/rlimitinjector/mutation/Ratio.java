package io.rlimitinjector.mutation;

import java.math.BigDecimal;
import java.util.Optional;

/** The limit multiplier: the rlimit is the memory limit times this, {@code 0 < r <= 1}. */
public final class Ratio {
    private Ratio() {
    }

    public static boolean isValid(double ratio) {
        return ratio > 0 && ratio <= 1;
    }

    public static Optional<Double> parse(String text) {
        try {
            double ratio = Double.parseDouble(text.trim());
            return isValid(ratio) ? Optional.of(ratio) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Shortest decimal form, so {@code 1.0} reads "1" and {@code 0.9} reads "0.9" in env and status. */
    public static String format(double ratio) {
        return BigDecimal.valueOf(ratio).stripTrailingZeros().toPlainString();
    }
}
