package io.rlimitinjector.admission;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.rlimitinjector.inject.Admission;
import io.rlimitinjector.inject.Outcome;
import io.rlimitinjector.inject.PodInjector;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.ImageConfig;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.testing.Eventually;
import io.rlimitinjector.testing.Reviews;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Admissions waiting for lookups hold no parsing slot, and only so many of them wait. */
class AdmissionSlotsTest {
    /** Lookups that end only when the test completes them. */
    private final Map<String, CompletableFuture<EntrypointResolver.Lookup>> lookups = new ConcurrentHashMap<>();
    private final EntrypointResolver resolver = new EntrypointResolver() {
        @Override
        public Lookup resolve(String image, Pod pod, String namespace) {
            throw new AssertionError("the server starts lookups; it does not block on them");
        }

        @Override
        public CompletableFuture<Lookup> start(String image, Pod pod, String namespace) {
            return lookups.computeIfAbsent(image, key -> new CompletableFuture<>());
        }
    };
    private final AdmissionSlots slots = new AdmissionSlots(
            new AdmissionReviewHandler(new PodInjector(new PodMutator(InjectionSettings.defaults()))), resolver, 1, 1);
    private final ExecutorService callers = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        lookups.values().forEach(lookup -> lookup.complete(EntrypointResolver.Lookup.failed("test over")));
        callers.shutdownNow();
    }

    @Test
    void aWaitForLookupsHoldsNoSlotAndOnlySoManyWait() throws Exception {
        Future<Admission> waiting = callers.submit(
                () -> slots.admit(Reviews.oneContainerReview("a", "registry.test/a:1")));
        Eventually.until("the first admission waits for its lookup", Duration.ofSeconds(30),
                () -> lookups.containsKey("registry.test/a:1")
                        && lookups.get("registry.test/a:1").getNumberOfDependents() > 0);

        // The only parsing slot is free: a pod that needs no lookup is admitted meanwhile.
        Admission command = slots.admit(Reviews.oneContainerReview("b", null));
        assertThat(command.outcome()).isEqualTo(Outcome.MUTATED);
        // The only waiting place is taken: this pod's lookup is not waited for, and it says so.
        Admission notWaited = slots.admit(Reviews.oneContainerReview("c", "registry.test/c:1"));
        assertThat(notWaited.outcome()).isEqualTo(Outcome.UNCHANGED);
        assertThat(notWaited.mutation().warnings()).singleElement().asString()
                .contains("entrypoint of image registry.test/c:1 unknown")
                .contains("1 admissions already wait for registry lookups");
        assertThat(waiting.isDone()).isFalse();

        lookups.get("registry.test/a:1").complete(EntrypointResolver.Lookup.found(
                new ImageConfig(List.of("/app"), List.of("serve"), Map.of(), List.of())));
        Admission looked = waiting.get();
        assertThat(looked.outcome()).isEqualTo(Outcome.MUTATED);
        assertThat(looked.mutation().decisions().get(0).isWrapped()).isTrue();
    }
}
