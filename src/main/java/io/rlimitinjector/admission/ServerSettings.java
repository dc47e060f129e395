package io.rlimitinjector.admission;

import java.nio.file.Path;
import java.time.Duration;

/**
 * How the webhook listens.
 *
 * @param host address to bind; all interfaces by default, as a pod needs
 * @param port HTTPS port, for {@code POST /mutate} alone
 * @param metricsPort plain-HTTP port for {@code GET /metrics}, {@code /healthz} and {@code /readyz}, on the same
 *     address: the kubelet and Prometheus reach it without a client certificate; 0 picks a free one
 * @param certificateFile PEM certificate chain, as mounted from a {@code kubernetes.io/tls} Secret
 * @param keyFile PEM private key
 * @param certificatePollInterval how often the PEM files are checked for a new certificate
 */
public record ServerSettings(String host, int port, int metricsPort, Path certificateFile, Path keyFile,
        Duration certificatePollInterval) {
    /**
     * The API server accepts request bodies of up to 3 MiB and stores objects of up to 1.5 MiB; an AdmissionReview
     * for a creation carries one such object, so a larger body never comes from an API server.
     */
    public static final int MAX_BODY_BYTES = 3 * 1024 * 1024;
    /** A client that sends nothing for this long is dropped; the API server's own timeout is 10 s at most. */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(15);
    /** The API server sends its AdmissionReview at once; anything far slower is not an API server. */
    public static final long MIN_REQUEST_BYTES_PER_SECOND = 8 * 1024;
    /** Jetty's threads: enough that clients slow to send their body cannot starve the rest of a connection. */
    public static final int MAX_THREADS = 48;
    /**
     * Requests parsed and mutated at once. The work is CPU-bound and short, and each one holds its body's parsed
     * copies, so this, not the thread count, bounds the heap that requests need. Waiting for registry lookups does
     * not count: such a request holds only its body, as one queued for its turn does.
     */
    public static final int MAX_CONCURRENT_ADMISSIONS = 4;
    /**
     * Requests waiting for registry lookups at once, each on a Jetty thread. Well under {@link #MAX_THREADS}, so
     * requests that need no lookup always find a thread; past it, lookups are not waited for and the containers are
     * admitted unwrapped with the reason.
     */
    public static final int MAX_LOOKUP_WAITS = 32;
    /** How long a request waits for its turn before the webhook answers 503 and the failure policy applies. */
    public static final Duration ADMISSION_QUEUE_TIMEOUT = Duration.ofSeconds(5);
    /** How long a stopping server waits for the requests it is serving. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
}
