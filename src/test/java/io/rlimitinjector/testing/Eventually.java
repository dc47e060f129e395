package io.rlimitinjector.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Polls a condition the system reaches asynchronously (informers, controllers), within a bounded time. */
public final class Eventually {
    private static final long POLL_MILLIS = 100;

    private Eventually() {
    }

    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }
}
