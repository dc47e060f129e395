package io.rlimitinjector.registry;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.EntrypointResolver;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The webhook's {@link EntrypointResolver}: image configs from registries, cached, within a time budget per
 * admission. It never throws: past the budget, or on any registry trouble, the container is skipped with a {@link
 * LookupFailure} code, and the detail goes to the log with the pod it was looked up for.
 */
public final class RegistryResolver implements EntrypointResolver {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryResolver.class);

    private final RegistrySettings settings;
    private final PullCredentials pullCredentials;
    private final RegistryClient client;
    private final LookupCache cache;
    private final LookupObserver observer;
    private final ThreadPoolExecutor executor = lookupThreads();

    public RegistryResolver(RegistrySettings settings, PullCredentials pullCredentials)
            throws GeneralSecurityException, IOException {
        this(settings, pullCredentials, LookupObserver.NONE);
    }

    public RegistryResolver(RegistrySettings settings, PullCredentials pullCredentials, LookupObserver observer)
            throws GeneralSecurityException, IOException {
        this.observer = observer;
        this.settings = settings;
        this.pullCredentials = pullCredentials;
        this.client = new RegistryClient(settings, AddressPolicy.of(settings));
        this.cache = new LookupCache(settings.cacheSize(), settings.cacheTtl(), RegistrySettings.FAILURE_TTL,
                System::nanoTime, observer);
    }

    @Override
    public Lookup resolve(String image, Pod pod, String namespace) {
        return resolveBy(image, pod, namespace, System.nanoTime() + settings.budget().toNanos());
    }

    /** One budget for all of a pod's lookups, counted from when the pod's mutation asks for this view. */
    @Override
    public EntrypointResolver sharingOneBudget() {
        long deadline = System.nanoTime() + settings.budget().toNanos();
        return (image, pod, namespace) -> resolveBy(image, pod, namespace, deadline);
    }

    /**
     * Starts the lookup; the future completes within the budget. The lookup itself ends in the cache even when
     * nobody waits for it any more, so the next admission gets its result. A cached image completes at once when no
     * pull secrets are read.
     */
    @Override
    public CompletableFuture<Lookup> start(String image, Pod pod, String namespace) {
        long deadline = System.nanoTime() + settings.budget().toNanos();
        String who = who(pod, namespace);
        ImageReference reference;
        try {
            reference = ImageReference.parse(image);
        } catch (IllegalArgumentException e) {
            LOG.info("image {} of pod {}: {}", Json.quoted(image), who, Json.quoted(e.getMessage()));
            return CompletableFuture.completedFuture(Lookup.failed(LookupFailure.INVALID_REFERENCE.code()));
        }
        try {
            return credentials(pod, namespace)
                    .thenCompose(credentials -> cache.get(key(reference, credentials), reference.isPinned(),
                            () -> lookup(reference, credentials, deadline, who)))
                    // Reading pull secrets has no deadline of its own.
                    .completeOnTimeout(overBudget(), settings.budget().toNanos(), TimeUnit.NANOSECONDS)
                    .exceptionally(e -> error(image, who, e));
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(busy(image, who, e));
        }
    }

    private CompletableFuture<Lookup> lookup(ImageReference reference, List<RegistryCredential> credentials,
            long deadline, String who) {
        try {
            return CompletableFuture.supplyAsync(() -> fetch(reference, credentials, deadline, who), executor)
                    // A server trickling a body is not bounded by the request timeout: this is.
                    .completeOnTimeout(overBudget(), settings.budget().toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(busy(reference.toString(), who, e));
        }
    }

    private static Lookup busy(String image, String who, RejectedExecutionException e) {
        LOG.warn("image {} of pod {} not looked up: {}", Json.quoted(image), who, e.getMessage());
        return Lookup.failed(LookupFailure.BUSY.code());
    }

    /** Waits for the lookup until {@code deadline}. */
    private Lookup resolveBy(String image, Pod pod, String namespace, long deadline) {
        if (deadline - System.nanoTime() <= 0) {
            return overBudget();
        }
        try {
            return start(image, pod, namespace).get(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return overBudget();
        } catch (ExecutionException e) {
            return error(image, who(pod, namespace), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return error(image, who(pod, namespace), e);
        }
    }

    /** Without a secret source there is nothing to read, so no thread is needed. */
    private CompletableFuture<List<RegistryCredential>> credentials(Pod pod, String namespace) {
        if (!pullCredentials.readsSecrets()) {
            return CompletableFuture.completedFuture(List.of());
        }
        Pod view = PullCredentials.pullView(pod);
        return CompletableFuture.supplyAsync(() -> pullCredentials.forPod(view, namespace), executor);
    }

    private static Lookup overBudget() {
        return Lookup.failed(LookupFailure.OVER_BUDGET.code());
    }

    private static Lookup error(String image, String who, Throwable e) {
        LOG.error("registry lookup of {} for pod {} failed", Json.quoted(image), who, e);
        return Lookup.failed(LookupFailure.ERROR.code());
    }

    /** @param who the pod that asked first, for the log */
    private Lookup fetch(ImageReference reference, List<RegistryCredential> credentials, long deadline, String who) {
        Lookup lookup;
        try {
            lookup = Lookup.found(client.fetch(reference, credentials, deadline));
        } catch (RegistryException e) {
            // A refused address is the operator's to act on (list the host) or someone probing: both worth a warning.
            if (e.failure() == LookupFailure.REFUSED_ADDRESS) {
                LOG.warn("registry lookup of {} for pod {}: {}: {}", Json.quoted(reference.toString()), who,
                        e.failure().code(), Json.quoted(e.getMessage()));
            } else {
                LOG.info("registry lookup of {} for pod {}: {}: {}", Json.quoted(reference.toString()), who,
                        e.failure().code(), Json.quoted(e.getMessage()));
            }
            lookup = Lookup.failed(e.failure().code());
        } catch (RuntimeException e) {
            lookup = error(reference.toString(), who, e);
        }
        observer.fetched(lookup.isFound());
        return lookup;
    }

    /** {@code namespace/name}, or the generateName prefix of a pod not yet named. */
    private static String who(Pod pod, String namespace) {
        ObjectMeta meta = pod.getMetadata();
        String name = meta == null ? null : meta.getName() != null ? meta.getName()
                : meta.getGenerateName() != null ? meta.getGenerateName() + "*" : null;
        // Names are not validated before admission: quoted, a newline in one cannot start a forged log line.
        return Json.quoted(namespace + "/" + (name == null ? "?" : name));
    }

    /**
     * Lookups block a thread on registry I/O, so their number is bounded: at most {@link
     * RegistrySettings#MAX_LOOKUP_THREADS} run, {@link RegistrySettings#MAX_QUEUED_LOOKUPS} more wait, and past that
     * a lookup fails at once. A queued lookup whose budget has passed fails without a request when its turn comes.
     */
    private static ThreadPoolExecutor lookupThreads() {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(RegistrySettings.MAX_LOOKUP_THREADS,
                RegistrySettings.MAX_LOOKUP_THREADS, 30, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(RegistrySettings.MAX_QUEUED_LOOKUPS), runnable -> {
                    Thread thread = new Thread(runnable, "registry-lookup");
                    thread.setDaemon(true);
                    return thread;
                }, (runnable, executor) -> {
                    throw new RejectedExecutionException("more than " + RegistrySettings.MAX_QUEUED_LOOKUPS
                            + " registry lookups are waiting; not looked up");
                });
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /**
     * The image plus a fingerprint of the credentials that apply to it: a pod without the pull secret must not learn
     * a private image's config from another pod's lookup.
     */
    private String key(ImageReference reference, List<RegistryCredential> credentials) {
        String mirror = settings.mirrors().get(reference.registry());
        return reference + RegistryCredential.fingerprint(credentials.stream()
                .filter(c -> c.matches(reference.registry(), reference.repository())
                        || (mirror != null && c.matches(mirror, reference.repository())))
                .toList());
    }
}
