package io.rlimitinjector.events;

import java.util.Locale;

/** What became of an Event the webhook had a reason to send; a closed set, so it can label a metric. */
public enum EventResult {
    /** Created on the API server. */
    SENT,
    /** Not sent: the same owner got the same reason within the window, from this replica or another. */
    SUPPRESSED,
    /** Not sent: the pod has no controlling owner to put it on (a bare pod has no uid yet at admission). */
    NO_OWNER,
    /** Not sent: the queue was full, the API server is behind. */
    DROPPED,
    /** The API server refused it or could not be reached. */
    FAILED;

    /** {@code no-owner} and the like. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
