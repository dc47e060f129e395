package io.rlimitinjector.registry;

import static io.rlimitinjector.registry.RegistryFixtures.newRepository;
import static io.rlimitinjector.registry.RegistryFixtures.pod;
import static io.rlimitinjector.testing.TestImagesOci.OCI_MANIFEST;
import static io.rlimitinjector.testing.TestImagesOci.config;
import static io.rlimitinjector.testing.TestImagesOci.pushImage;
import static org.assertj.core.api.Assertions.assertThat;

import io.rlimitinjector.mutation.EntrypointResolver.Lookup;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.MutationResult;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.testing.LocalRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Registry requests per admission, counted in the real registry's access log. */
class RegistryCacheTest {
    @Test
    void secondAdmissionOfAnImageDoesNotTouchTheRegistry() throws Exception {
        LocalRegistry registry = LocalRegistry.plain();
        String repository = newRepository("cached");
        String image = push(registry, repository);
        PodMutator mutator = new PodMutator(InjectionSettings.defaults());
        RegistryResolver resolver = RegistryFixtures.plainResolver(registry);

        assertThat(mutator.mutate(pod(image, null, null, null), "ns", resolver).wrappedCount()).isEqualTo(1);
        long afterFirst = settledCount(registry, repository, 2);
        assertThat(mutator.mutate(pod(image, null, null, null), "ns", resolver).wrappedCount()).isEqualTo(1);

        assertThat(afterFirst).as("manifest and config blob").isEqualTo(2);
        assertThat(settledCount(registry, repository, afterFirst)).isEqualTo(afterFirst);
    }

    /** The server mutates a pod once more when a lookup was not answered at once; a cached image never needs that. */
    @Test
    void aCachedImageIsAnsweredAsTheLookupStarts() throws Exception {
        LocalRegistry registry = LocalRegistry.plain();
        String image = push(registry, newRepository("at-once"));
        RegistryResolver resolver = RegistryFixtures.plainResolver(registry);

        assertThat(resolver.start(image, pod(image, null, null, null), "ns").get().isFound()).isTrue();
        CompletableFuture<Lookup> again = resolver.start(image, pod(image, null, null, null), "ns");

        assertThat(again.isDone()).isTrue();
        assertThat(again.join().isFound()).isTrue();
    }

    @Test
    void fiftyConcurrentAdmissionsOfANewImageMakeOneLookup() throws Exception {
        LocalRegistry registry = LocalRegistry.plain();
        String repository = newRepository("stampede");
        String image = push(registry, repository);
        PodMutator mutator = new PodMutator(InjectionSettings.defaults());
        RegistryResolver resolver = RegistryFixtures.plainResolver(registry);
        ExecutorService pool = Executors.newFixedThreadPool(50);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<MutationResult>> results = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                results.add(pool.submit(() -> {
                    go.await();
                    return mutator.mutate(pod(image, null, null, null), "ns", resolver);
                }));
            }
            go.countDown();
            for (Future<MutationResult> result : results) {
                assertThat(result.get().wrappedCount()).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(settledCount(registry, repository, 2)).as("one manifest and one blob request").isEqualTo(2);
    }

    private static String push(LocalRegistry registry, String repository) throws Exception {
        pushImage(registry, repository, "1", OCI_MANIFEST, config(List.of("/bin/app"), null, Map.of(), "amd64"));
        return registry.host() + "/" + repository + ":1";
    }

    /** The count once the log has caught up: a line is written as its response completes, a moment after. */
    private static long settledCount(LocalRegistry registry, String repository, long expected) throws Exception {
        long count = registry.clientRequests(repository);
        for (int i = 0; i < 20 && count < expected; i++) {
            Thread.sleep(25);
            count = registry.clientRequests(repository);
        }
        Thread.sleep(100);
        return registry.clientRequests(repository);
    }
}
