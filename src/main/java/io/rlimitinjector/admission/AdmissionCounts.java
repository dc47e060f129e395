package io.rlimitinjector.admission;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many admission requests the server answered, by outcome ({@link Admission#outcome()}, or {@code bad-request}
 * for a body it could not read). Cheap under contention, so it can back a Prometheus counter as it is.
 */
public final class AdmissionCounts {
    static final String BAD_REQUEST = "bad-request";

    private final Map<String, LongAdder> byOutcome = new ConcurrentHashMap<>();

    void record(String outcome) {
        byOutcome.computeIfAbsent(outcome, key -> new LongAdder()).increment();
    }

    public long total() {
        return byOutcome.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public long of(String outcome) {
        LongAdder count = byOutcome.get(outcome);
        return count == null ? 0 : count.sum();
    }
}
