package io.rlimitinjector.admission;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The built-in AdmissionReview sent through a handler, bytes in to bytes out, on a thread of its own. The server
 * reports ready only once it went through, so the first real pod does not pay for loading and compiling the
 * mutation path. That is a third of the start-up, and it overlaps with reading the certificates and starting
 * HTTPS when the pod has a second core.
 */
public final class WarmUp {
    private static final String REVIEW = "/warmup-review.json";

    private final FutureTask<Void> task;

    private WarmUp(AdmissionReviewHandler handler) {
        this.task = new FutureTask<>(() -> run(handler), null);
    }

    public static WarmUp start(AdmissionReviewHandler handler) {
        WarmUp warmUp = new WarmUp(handler);
        Thread thread = new Thread(warmUp.task, "warm-up");
        thread.setDaemon(true);
        thread.start();
        return warmUp;
    }

    /** Waits for the warm-up; a warm-up that failed is a broken build or configuration, so it fails the start. */
    void await() throws InterruptedException {
        try {
            task.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause : new IllegalStateException(e.getCause());
        }
    }

    private static void run(AdmissionReviewHandler handler) {
        try (InputStream review = WarmUp.class.getResourceAsStream(REVIEW)) {
            Admission admission = handler.handle(review.readAllBytes());
            if (!"mutated".equals(admission.outcome())) {
                throw new IllegalStateException("warm-up pod was not mutated: " + admission.outcome());
            }
            AdmissionReviewHandler.toBytes(admission);
        } catch (IOException e) {
            throw new IllegalStateException("warm-up review missing from the jar", e);
        }
    }
}
