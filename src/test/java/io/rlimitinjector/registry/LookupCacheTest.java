package io.rlimitinjector.registry;

import static org.assertj.core.api.Assertions.assertThat;

import io.rlimitinjector.mutation.EntrypointResolver.Lookup;
import io.rlimitinjector.mutation.ImageConfig;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Expiry by kind of result, on a clock the test moves. */
class LookupCacheTest {
    private static final Lookup FOUND = Lookup.found(new ImageConfig(List.of("/app"), List.of(), Map.of(), List.of()));

    private final AtomicLong now = new AtomicLong();
    private final AtomicInteger lookups = new AtomicInteger();
    private final AtomicInteger hits = new AtomicInteger();
    private final LookupObserver observer = new LookupObserver() {
        @Override
        public void cacheHit() {
            hits.incrementAndGet();
        }

        @Override
        public void fetched(boolean found) {
        }
    };
    private LookupCache cache = new LookupCache(10, Duration.ofMinutes(5), Duration.ofSeconds(10), now::get, observer);

    @Test
    void tagsExpireAfterTheTtlDigestsNeverAndFailuresSoon() {
        get("tag", false, FOUND);
        get("digest", true, FOUND);
        get("broken", false, Lookup.failed("down"));
        assertThat(lookups).hasValue(3);

        advance(Duration.ofSeconds(11));
        get("tag", false, FOUND);
        get("digest", true, FOUND);
        get("broken", false, Lookup.failed("down"));
        assertThat(lookups).as("only the failure expired").hasValue(4);
        assertThat(hits).as("the tag and the digest came from the cache").hasValue(2);

        advance(Duration.ofMinutes(6));
        get("tag", false, FOUND);
        get("digest", true, FOUND);
        assertThat(lookups).as("the tag expired, the digest did not").hasValue(5);
    }

    @Test
    void sizeIsBoundedByForgettingTheLeastRecentlyUsed() {
        cache = new LookupCache(2, Duration.ofMinutes(5), Duration.ofSeconds(10), now::get, observer);
        get("a", true, FOUND);
        get("b", true, FOUND);
        get("a", true, FOUND);
        get("c", true, FOUND);
        assertThat(cache.size()).isEqualTo(2);
        get("a", true, FOUND);
        get("b", true, FOUND);
        assertThat(lookups).as("b was evicted, a was not").hasValue(4);
    }

    private void get(String key, boolean pinned, Lookup result) {
        cache.get(key, pinned, () -> {
            lookups.incrementAndGet();
            return CompletableFuture.completedFuture(result);
        }).join();
    }

    private void advance(Duration duration) {
        now.addAndGet(duration.toNanos());
    }
}
