package io.rlimitinjector.admission;

import io.rlimitinjector.inject.Admission;
import io.rlimitinjector.mutation.EntrypointResolver;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the server's concurrent admissions. Parsing and mutating hold one of a few slots: the parsed copies of a
 * body are what costs heap. Waiting for registry lookups holds no slot: the request keeps only its body, as a
 * request queued for a slot does, and its pod is parsed again once the lookups have ended. So a registry that is
 * slow or down never keeps pods that need no lookup from their turn. Such waits hold a Jetty thread each, so they
 * are bounded below the thread count; past it, lookups are not waited for and the containers are skipped with the
 * reason.
 */
final class AdmissionSlots {
    private final AdmissionReviewHandler handler;
    private final EntrypointResolver resolver;
    private final Semaphore parsing;
    private final Semaphore waiting;
    private final int maxWaiting;

    AdmissionSlots(AdmissionReviewHandler handler, EntrypointResolver resolver, int maxParsing, int maxWaiting) {
        this.handler = handler;
        this.resolver = resolver;
        this.parsing = new Semaphore(maxParsing, true);
        this.waiting = new Semaphore(maxWaiting);
        this.maxWaiting = maxWaiting;
    }

    /** The admission of this AdmissionReview body; {@link Busy} when no parsing slot came free in time. */
    Admission admit(byte[] body) throws Busy, InterruptedException {
        PodLookups lookups = new PodLookups(resolver);
        Optional<Admission> admission = mutate(body, lookups, false);
        if (admission.isPresent()) {
            return admission.get();
        }
        if (waiting.tryAcquire()) {
            try {
                lookups.awaitAll();
            } finally {
                waiting.release();
            }
        } else {
            lookups.giveUp("not waited for: " + maxWaiting + " admissions already wait for registry lookups");
        }
        return mutate(body, lookups, true).orElseThrow();
    }

    /** Under a slot; empty when lookups were not finished and {@code last} is false. */
    private Optional<Admission> mutate(byte[] body, PodLookups lookups, boolean last) throws Busy, InterruptedException {
        if (!parsing.tryAcquire(ServerSettings.ADMISSION_QUEUE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new Busy();
        }
        try {
            Admission admission = handler.handle(body, lookups);
            return last || !lookups.deferred() ? Optional.of(admission) : Optional.empty();
        } finally {
            parsing.release();
        }
    }

    /** No parsing slot came free within the queue timeout. */
    static final class Busy extends Exception {
        Busy() {
            super("webhook busy", null, false, false);
        }
    }
}
