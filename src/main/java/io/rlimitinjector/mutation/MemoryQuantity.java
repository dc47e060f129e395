package io.rlimitinjector.mutation;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses a Kubernetes resource quantity into bytes, following the API's grammar
 * ({@code <signedNumber><binarySI|decimalSI|decimalExponent>}) and rounding up as the downward API does.
 */
public final class MemoryQuantity {
    private static final Pattern QUANTITY =
            Pattern.compile("([+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?[0-9]+|m|k|M|G|T|P|E)?");
    private static final Pattern EXPONENT = Pattern.compile("[eE][+-]?[0-9]+");
    private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
            Map.entry("", BigDecimal.ONE),
            Map.entry("m", new BigDecimal("0.001")),
            Map.entry("k", BigDecimal.TEN.pow(3)),
            Map.entry("M", BigDecimal.TEN.pow(6)),
            Map.entry("G", BigDecimal.TEN.pow(9)),
            Map.entry("T", BigDecimal.TEN.pow(12)),
            Map.entry("P", BigDecimal.TEN.pow(15)),
            Map.entry("E", BigDecimal.TEN.pow(18)),
            Map.entry("Ki", BigDecimal.valueOf(2).pow(10)),
            Map.entry("Mi", BigDecimal.valueOf(2).pow(20)),
            Map.entry("Gi", BigDecimal.valueOf(2).pow(30)),
            Map.entry("Ti", BigDecimal.valueOf(2).pow(40)),
            Map.entry("Pi", BigDecimal.valueOf(2).pow(50)),
            Map.entry("Ei", BigDecimal.valueOf(2).pow(60)));
    private static final BigDecimal MAX_BYTES = BigDecimal.valueOf(Long.MAX_VALUE);

    private MemoryQuantity() {
    }

    /** Bytes, or empty when the text is not a quantity, not positive, or too large for a long. */
    public static OptionalLong toBytes(String text) {
        if (text == null || text.length() > 64) {
            return OptionalLong.empty();
        }
        Matcher matcher = QUANTITY.matcher(text.trim());
        if (!matcher.matches()) {
            return OptionalLong.empty();
        }
        String suffix = matcher.group(2) == null ? "" : matcher.group(2);
        BigDecimal number = new BigDecimal(matcher.group(1));
        BigDecimal bytes;
        if (EXPONENT.matcher(suffix).matches()) {
            int exponent;
            try {
                exponent = Integer.parseInt(suffix.substring(1));
            } catch (NumberFormatException e) {
                return OptionalLong.empty();
            }
            if (Math.abs(exponent) > 30) {
                return OptionalLong.empty();
            }
            bytes = number.scaleByPowerOfTen(exponent);
        } else {
            bytes = number.multiply(SUFFIXES.get(suffix));
        }
        bytes = bytes.setScale(0, RoundingMode.CEILING);
        if (bytes.signum() <= 0 || bytes.compareTo(MAX_BYTES) > 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(bytes.longValueExact());
    }
}
