package io.rlimitinjector.mutation;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.rlimitinjector.json.Json;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code GOMEMLIMIT} as Go's runtime reads it when any Go program starts, the launcher included: a value it refuses
 * ends the launcher (exit 2) before it can exec the program. Mirrors {@code readGOMEMLIMIT} and
 * {@code parseByteCount} (Go's src/runtime/mgcpacer.go and string.go); src/test/resources/gomemlimit-vectors.tsv is
 * checked against both.
 */
final class GoMemLimit {
    static final String NAME = "GOMEMLIMIT";

    /** What Go's {@code strconv.ParseInt(s, 10, 64)} takes: one optional sign, ASCII digits, no spaces. */
    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");
    private static final BigInteger MAX = BigInteger.valueOf(Long.MAX_VALUE);
    /** Enough of a refused value to recognise it, without a large one bloating the status and the warnings. */
    private static final int SHOWN = 40;

    private GoMemLimit() {
    }

    /** Whether a Go program starts with this value: empty or {@code off}, or bytes with B, KiB, MiB, GiB or TiB. */
    static boolean acceptedByGo(String value) {
        if (value.isEmpty() || value.equals("off")) {
            return true;
        }
        int length = value.length();
        if (isDigit(value.charAt(length - 1))) {
            return fits(value, 0);
        }
        if (!value.endsWith("B") || length < 2) {
            return false;
        }
        char beforeB = value.charAt(length - 2);
        if (isDigit(beforeB)) {
            return fits(value.substring(0, length - 1), 0);
        }
        if (beforeB != 'i' || length < 4) {
            return false;
        }
        int power = "KMGT".indexOf(value.charAt(length - 3)) + 1;
        return power > 0 && fits(value.substring(0, length - 3), power);
    }

    /** Whether {@code number} x 1024^power is an int64 Go accepts; Go refuses only negative numbers, so "-0" passes. */
    private static boolean fits(String number, int power) {
        if (!INTEGER.matcher(number).matches()) {
            return false;
        }
        String digits = number.replaceFirst("^[+-]?0*", "");
        if (digits.isEmpty()) {
            return true;
        }
        // Past 19 digits it overflows anyway; the length check keeps a huge value from costing a long parse.
        if (number.startsWith("-") || digits.length() > 19) {
            return false;
        }
        return new BigInteger(digits).shiftLeft(10 * power).compareTo(MAX) <= 0;
    }

    /**
     * Why the launcher cannot start in a container, or empty. The value judged is the one the program will see where
     * the pod says it: the container's last {@code GOMEMLIMIT} in {@code env} (the one Kubernetes keeps), else the
     * image's. A value admission cannot know is let through, as before: from {@code valueFrom}, or with a
     * {@code $(VAR)} reference, which the kubelet expands. {@code envFrom} is not seen: one may set the variable, or
     * replace the image's.
     */
    static Optional<String> launcherRefusal(List<EnvVar> env, Map<String, String> imageEnv) {
        EnvVar own = ContainerEnv.last(env, NAME).orElse(null);
        String value = own == null ? imageEnv.get(NAME) : own.getValueFrom() != null ? null
                : own.getValue() == null ? "" : own.getValue();
        boolean unknown = value == null || own != null && value.contains("$(");
        if (unknown || acceptedByGo(value)) {
            return Optional.empty();
        }
        String shown = value.length() > SHOWN ? value.substring(0, SHOWN) + "..." : value;
        return Optional.of(NAME + "=" + Json.quoted(shown) + " (" + (own == null ? "image" : "container") + " env) is"
                + " not a value Go accepts (bytes, optionally with B, KiB, MiB, GiB or TiB; or off): the launcher, a Go"
                + " program, cannot start with it, so the program runs unwrapped, without the memory rlimit");
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
