package io.rlimitinjector.certs;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a certificate sync now, retrying until it first succeeds (the server cannot serve before), then every
 * interval in the background, where a failure is logged and retried at the next tick.
 */
public final class Resync implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Resync.class);
    private static final Duration FIRST_RETRY = Duration.ofSeconds(2);

    private final ScheduledExecutorService scheduler;

    private Resync(ScheduledExecutorService scheduler) {
        this.scheduler = scheduler;
    }

    /** A sync step that may fail, for instance while the API server is unreachable. */
    @FunctionalInterface
    public interface Task {
        void run() throws Exception;
    }

    public static Resync start(String what, Duration interval, Task task) throws InterruptedException {
        while (true) {
            try {
                task.run();
                break;
            } catch (Exception e) {
                LOG.warn("{} failed, retrying in {} s: {}", what, FIRST_RETRY.toSeconds(), e.toString());
                Thread.sleep(FIRST_RETRY.toMillis());
            }
        }
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "cert-sync");
            thread.setDaemon(true);
            return thread;
        });
        long millis = interval.toMillis();
        scheduler.scheduleWithFixedDelay(() -> {
            try {
                task.run();
            } catch (Exception e) {
                LOG.warn("{} failed, retrying in {} s: {}", what, interval.toSeconds(), e.toString());
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
        return new Resync(scheduler);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
