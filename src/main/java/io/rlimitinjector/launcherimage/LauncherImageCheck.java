package io.rlimitinjector.launcherimage;

import io.rlimitinjector.mutation.SkipReason;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the nodes can pull the launcher image, checked at start and then again and again, since a registry outage
 * can begin or end and a tag can vanish: every mutated pod pulls the image, and one that cannot stays stuck in
 * {@code Init:ImagePullBackOff}. While it cannot be pulled the webhook admits pods unchanged, with the reason.
 */
public final class LauncherImageCheck implements BooleanSupplier {
    /** How soon an image that could not be pulled is checked again, so mutation resumes soon after it can. */
    static final Duration RETRY = Duration.ofSeconds(10);
    private static final Logger LOG = LoggerFactory.getLogger(LauncherImageCheck.class);

    private final String image;
    private final Function<String, Optional<String>> probe;
    private final Duration period;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "launcher-image-check");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean pullable;
    /** The last check's problem, empty when it passed; only the timer thread writes it after the first check. */
    private Optional<String> last;

    private LauncherImageCheck(String image, Function<String, Optional<String>> probe, Duration period) {
        this.image = image;
        this.probe = probe;
        this.period = period;
    }

    /**
     * Checks once, on the caller's thread, so no pod is admitted before the answer is known; then every
     * {@code period} while the image can be pulled, and every {@link #RETRY} (or {@code period}, if shorter) while not.
     *
     * @param probe empty when the image can be pulled, else why not
     */
    public static LauncherImageCheck start(String image, Function<String, Optional<String>> probe, Duration period) {
        LauncherImageCheck check = new LauncherImageCheck(image, probe, period);
        check.run();
        return check;
    }

    /** Whether the last check could pull the image. */
    @Override
    public boolean getAsBoolean() {
        return pullable;
    }

    private void run() {
        Optional<String> problem;
        try {
            problem = probe.apply(image);
        } catch (RuntimeException e) {
            problem = Optional.of(e.toString());
        }
        pullable = problem.isEmpty();
        // One line when the answer changes, not one per check.
        if (last == null || last.isPresent() != problem.isPresent()) {
            if (problem.isEmpty()) {
                LOG.info("launcher image {} can be pulled; pods are mutated (checked again every {} s)", image,
                        period.toSeconds());
            } else {
                LOG.warn("launcher image {} cannot be pulled: {}; pods are admitted unchanged with reason {} until "
                        + "it can (checked again every {} s)", image, problem.get(),
                        SkipReason.LAUNCHER_IMAGE_UNAVAILABLE.code(), retryDelay().toSeconds());
            }
        }
        last = problem;
        timer.schedule(this::run, (pullable ? period : retryDelay()).toMillis(), TimeUnit.MILLISECONDS);
    }

    private Duration retryDelay() {
        return period.compareTo(RETRY) < 0 ? period : RETRY;
    }
}
