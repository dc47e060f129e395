package io.rlimitinjector.check;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * One thing the check found, with a stable code for scripts.
 *
 * @param code {@code namespace-not-selected}, {@code no-memory-limit}, {@code webhook-unready}, ...
 */
public record Finding(Kind kind, String code, String message) {

    /** What a finding means for the exit code. */
    public enum Kind {
        /** The webhook itself is missing, unreachable or untrusted: exit 3. */
        PROBLEM,
        /** Why the pod, or one of its containers, is not injected: exit 1 unless the pod's author asked for it. */
        REASON,
        /** Worth knowing, changes nothing. */
        NOTE;

        @JsonValue
        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static Finding problem(String code, String message) {
        return new Finding(Kind.PROBLEM, code, message);
    }

    static Finding reason(String code, String message) {
        return new Finding(Kind.REASON, code, message);
    }

    static Finding note(String code, String message) {
        return new Finding(Kind.NOTE, code, message);
    }
}
