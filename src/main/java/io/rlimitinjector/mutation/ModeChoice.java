package io.rlimitinjector.mutation;

/**
 * The mode a container gets and why, for the status annotation. {@link Mode#AUTO} here means nothing at admission
 * decided and the launcher inspects the program it execs.
 */
public record ModeChoice(Mode mode, String reason) {
}
