package io.rlimitinjector.events;

/** Told what became of each Event, for metrics; called from admission threads and the sending thread. */
public interface EventObserver {
    void counted(EventResult result);
}
