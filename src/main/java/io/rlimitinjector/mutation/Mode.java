package io.rlimitinjector.mutation;

import java.util.Locale;
import java.util.Optional;

/** Which rlimit the launcher sets. The lower-case names are the contract's annotation and env values. */
public enum Mode {
    /** Decide per container: RLIMIT_DATA for runtimes that reserve large address space, RLIMIT_AS otherwise. */
    AUTO,
    /** RLIMIT_AS: caps address space; right for Python, C, Ruby, Perl. */
    AS,
    /** RLIMIT_DATA: caps private writable mappings; right for the JVM, Node.js and Go. */
    DATA,
    /** Leave the container alone. */
    OFF;

    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Mode> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        for (Mode mode : values()) {
            if (mode.value().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return Optional.of(mode);
            }
        }
        return Optional.empty();
    }
}
