package io.rlimitinjector.registry;

import io.rlimitinjector.cache.BoundedCache;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.EntrypointResolver.Lookup;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lookups by key: a running lookup is shared by everyone who asks meanwhile, so fifty admissions of a new image make
 * one; a finished one is reused until it expires: a tag after the TTL, a digest never, a failure soon.
 */
final class LookupCache {
    private static final Logger LOG = LoggerFactory.getLogger(LookupCache.class);
    private final BoundedCache<String, Entry> entries;
    private final long ttlNanos;
    private final long failureTtlNanos;
    private final LongSupplier clock;
    private final LookupObserver observer;

    LookupCache(int maxEntries, Duration ttl, Duration failureTtl, LongSupplier clock, LookupObserver observer) {
        this.observer = observer;
        this.entries = new BoundedCache<>(maxEntries);
        this.ttlNanos = ttl.toNanos();
        this.failureTtlNanos = failureTtl.toNanos();
        this.clock = clock;
    }

    /**
     * The lookup for the key: cached, in flight, or started now with {@code lookup}.
     *
     * @param pinned whether the key names content by digest, which never changes
     */
    CompletableFuture<Lookup> get(String key, boolean pinned, Supplier<CompletableFuture<Lookup>> lookup) {
        boolean[] started = {false};
        Entry entry = entries.getOrCreate(key, existing -> existing.expired(clock.getAsLong()), k -> {
            started[0] = true;
            return new Entry();
        });
        if (started[0]) {
            // Started outside the cache's lock: the lookup may run on this thread.
            CompletableFuture<Lookup> running;
            try {
                running = lookup.get();
            } catch (RuntimeException e) {
                running = CompletableFuture.failedFuture(e);
            }
            running.whenComplete((result, error) -> {
                if (error != null) {
                    LOG.error("registry lookup {} failed", Json.quoted(key), error);
                }
                Lookup outcome = error == null ? result : Lookup.failed(LookupFailure.ERROR.code());
                long lifetime = !outcome.isFound() ? failureTtlNanos : pinned ? Long.MAX_VALUE : ttlNanos;
                entry.expiresAt = lifetime == Long.MAX_VALUE ? Long.MAX_VALUE : clock.getAsLong() + lifetime;
                entry.result.complete(outcome);
            });
        } else {
            observer.cacheHit();
        }
        return entry.result;
    }

    int size() {
        return entries.size();
    }

    private static final class Entry {
        final CompletableFuture<Lookup> result = new CompletableFuture<>();
        /** Long.MAX_VALUE while running: a lookup in flight never expires. */
        volatile long expiresAt = Long.MAX_VALUE;

        boolean expired(long now) {
            return expiresAt != Long.MAX_VALUE && now - expiresAt >= 0;
        }
    }
}
