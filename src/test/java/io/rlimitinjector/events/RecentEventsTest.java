package io.rlimitinjector.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** One Event per owner, reason and window, under a name every replica agrees on. */
class RecentEventsTest {
    private static final Instant NOON = Instant.parse("2026-11-27T12:00:00Z");
    private final RecentEvents recent = new RecentEvents(Duration.ofMinutes(10), 2);

    @Test
    void theNameIsTheSameWithinAWindowAndNewInTheNext() {
        OwnerReference owner = owner("api-7d9c", "uid-1");
        String name = recent.eventName(owner, "Injected", NOON);
        assertThat(name).matches("api-7d9c\\.[0-9a-f]{16}");
        assertThat(recent.eventName(owner, "Injected", NOON.plus(Duration.ofMinutes(9)))).isEqualTo(name);
        assertThat(recent.eventName(owner, "Injected", NOON.plus(Duration.ofMinutes(10)))).isNotEqualTo(name);
    }

    @Test
    void otherReasonsAndOtherOwnersOfTheSameNameGetTheirOwnEvent() {
        String name = recent.eventName(owner("api", "uid-1"), "Injected", NOON);
        assertThat(recent.eventName(owner("api", "uid-1"), "NotInjected", NOON)).isNotEqualTo(name);
        assertThat(recent.eventName(owner("api", "uid-2"), "Injected", NOON)).isNotEqualTo(name);
    }

    @Test
    void aLongOwnerNameStillMakesAValidName() {
        String name = recent.eventName(owner("a".repeat(253), "uid-1"), "Injected", NOON);
        assertThat(name).hasSize(253).matches("a+\\.[0-9a-f]{16}");
    }

    @Test
    void onlyTheFirstSightingIsSentAndTheMemoryIsBounded() {
        assertThat(recent.firstSighting("one")).isTrue();
        assertThat(recent.firstSighting("one")).isFalse();
        recent.firstSighting("two");
        recent.firstSighting("three");
        assertThat(recent.firstSighting("one")).as("forgotten past two names").isTrue();
    }

    private static OwnerReference owner(String name, String uid) {
        return new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("ReplicaSet").withName(name)
                .withUid(uid).withController(true).build();
    }
}
