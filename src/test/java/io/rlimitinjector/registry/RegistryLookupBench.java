package io.rlimitinjector.registry;

import io.fabric8.kubernetes.api.model.Pod;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import io.rlimitinjector.testing.LocalRegistry;
import io.rlimitinjector.testing.TestImagesOci;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A benchmark, not a test ({@code hack/registry-bench.sh} runs it): mutation latency of a pod whose image config is
 * cached against one that needs a lookup from a registry on loopback, and registry requests per admission.
 */
public final class RegistryLookupBench {
    private static final int IMAGES = 300;
    private static final int WARM_UP = 100;
    private static final int CACHED_ROUNDS = 20_000;

    private RegistryLookupBench() {
    }

    public static void main(String[] args) throws Exception {
        LocalRegistry registry = LocalRegistry.plain();
        String prefix = "bench/run" + System.currentTimeMillis();
        List<String> images = new ArrayList<>();
        for (int i = 0; i < IMAGES + WARM_UP; i++) {
            String repository = prefix + "/app" + i;
            TestImagesOci.pushImage(registry, repository, "1", TestImagesOci.OCI_MANIFEST,
                    TestImagesOci.config(List.of("/bin/app" + i), List.of("--serve"), Map.of("JAVA_HOME", "/opt/java"),
                            "amd64"));
            images.add(registry.host() + "/" + repository + ":1");
        }
        PodMutator mutator = new PodMutator(InjectionSettings.defaults());
        RegistryResolver resolver = RegistryFixtures.plainResolver(registry);
        for (String image : images.subList(0, WARM_UP)) {
            mutate(mutator, resolver, image);
        }

        long[] lookup = new long[IMAGES];
        for (int i = 0; i < IMAGES; i++) {
            lookup[i] = mutate(mutator, resolver, images.get(WARM_UP + i));
        }
        String cachedImage = images.get(WARM_UP);
        long[] cached = new long[CACHED_ROUNDS];
        for (int i = 0; i < CACHED_ROUNDS; i++) {
            cached[i] = mutate(mutator, resolver, cachedImage);
        }
        Thread.sleep(200);
        long requests = 0;
        for (int i = 0; i < IMAGES; i++) {
            requests += registry.clientRequests(prefix + "/app" + (WARM_UP + i));
        }
        long cachedRequestsBefore = registry.clientRequests(prefix + "/app" + WARM_UP);
        System.out.printf("pods needing a lookup (%d images): %s%n", IMAGES, summary(lookup));
        System.out.printf("pods with a cached image (%d admissions): %s%n", CACHED_ROUNDS, summary(cached));
        System.out.printf("registry requests per admission: %.2f needing a lookup, %d for the %d cached admissions%n",
                (double) requests / IMAGES, registry.clientRequests(prefix + "/app" + WARM_UP) - cachedRequestsBefore,
                CACHED_ROUNDS);
        System.exit(0);
    }

    private static long mutate(PodMutator mutator, RegistryResolver resolver, String image) {
        Pod pod = RegistryFixtures.pod(image, null, null, null);
        long start = System.nanoTime();
        if (mutator.mutate(pod, "bench", resolver).wrappedCount() != 1) {
            throw new IllegalStateException("not wrapped: " + image);
        }
        return System.nanoTime() - start;
    }

    private static String summary(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format("median %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms",
                sorted[sorted.length / 2] / 1e6, sorted[sorted.length * 9 / 10] / 1e6,
                sorted[sorted.length * 99 / 100] / 1e6, sorted[sorted.length - 1] / 1e6);
    }
}
