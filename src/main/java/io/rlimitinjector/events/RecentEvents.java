package io.rlimitinjector.events;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.rlimitinjector.cache.BoundedCache;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * One Event per owner and reason per window: a ReplicaSet scaling to fifty pods gets one {@code Injected}, not
 * fifty. The Event's name is the same on every replica for the same owner, reason and window, so when another
 * webhook replica already sent it, the API server refuses ours as a duplicate; this replica's own repeats are
 * caught here first, without a call.
 */
final class RecentEvents {
    /** Longest owner name prefix: the whole name, with the dot and the 16-digit suffix, stays within 253. */
    private static final int MAX_PREFIX = 253 - 17;

    private final Duration window;
    private final BoundedCache<String, Boolean> sent;

    RecentEvents(Duration window, int maxEntries) {
        this.window = window;
        this.sent = new BoundedCache<>(maxEntries);
    }

    /** {@code <owner name>.<16 hex digits>}, from the owner's uid, the reason and the window {@code now} is in. */
    String eventName(OwnerReference owner, String reason, Instant now) {
        long windowIndex = now.getEpochSecond() / window.toSeconds();
        String prefix = owner.getName().length() <= MAX_PREFIX ? owner.getName()
                : owner.getName().substring(0, MAX_PREFIX);
        // A name-based UUID: a stable hash, not a secret; 16 hex digits make collisions between owners negligible.
        String hash = UUID.nameUUIDFromBytes((owner.getUid() + "/" + reason + "/" + windowIndex)
                .getBytes(StandardCharsets.UTF_8)).toString().replace("-", "");
        return prefix + "." + hash.substring(0, 16);
    }

    /** True the first time this replica sees the name: the Event is to be sent. */
    boolean firstSighting(String eventName) {
        return sent.putIfAbsent(eventName, Boolean.TRUE) == null;
    }
}
