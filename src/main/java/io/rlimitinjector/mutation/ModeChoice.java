package io.rlimitinjector.mutation;

/**
 * The mode a container gets and why, for the status annotation. {@link Mode#AUTO} here means nothing at admission
 * decided and the launcher inspects the program it execs.
 *
 * @param runtime the runtime recognised at admission, or null
 */
record ModeChoice(Mode mode, String reason, Runtime runtime) {
    ModeChoice(Mode mode, String reason) {
        this(mode, reason, null);
    }
}
