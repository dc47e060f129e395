package io.rlimitinjector.inject;

import java.util.Locale;

/** What became of one admission request; its {@link #label()} names it in metrics and logs. */
public enum Outcome {
    /** A container was wrapped. */
    MUTATED,
    /** Looked at, nothing wrapped: opted out, skipped, or already wrapped on a reinvocation. */
    UNCHANGED,
    /** Not a pod creation. */
    IGNORED,
    /** The webhook failed and admitted the pod as it was. */
    ERROR;

    /** Made once: every admission asks for it twice, for its metric and its log line. */
    private final String label = name().toLowerCase(Locale.ROOT);

    public String label() {
        return label;
    }
}
