package io.rlimitinjector.events;

/**
 * What one admission has to tell the pod's owner, as an Event will say it.
 *
 * @param type {@code Normal} or {@code Warning}
 * @param reason {@link EventDecision#INJECTED} or {@link EventDecision#NOT_INJECTED}
 * @param note for people: which containers, with their mode or the reason code they were skipped for
 */
public record PodReport(String type, String reason, String note) {
}
