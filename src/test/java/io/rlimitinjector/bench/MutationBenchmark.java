package io.rlimitinjector.bench;

import io.fabric8.kubernetes.api.model.Pod;
import io.rlimitinjector.admission.AdmissionReviewHandler;
import io.rlimitinjector.admission.ReviewWriter;
import io.rlimitinjector.inject.PodInjector;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.MutationResult;
import io.rlimitinjector.mutation.PodMutator;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The mutation of a typical pod (an init container and three containers, one without a limit), alone and as the
 * whole request path: bytes in, parse, mutate, diff, bytes out. Run with {@code hack/jmh.sh}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 6, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MutationBenchmark {
    private byte[] review;
    private Pod pod;
    private PodMutator mutator;
    private AdmissionReviewHandler handler;

    @Setup
    public void setUp() throws IOException {
        try (InputStream in = MutationBenchmark.class.getResourceAsStream("/warmup-review.json")) {
            review = in.readAllBytes();
        }
        pod = Json.MAPPER.treeToValue(Json.MAPPER.readTree(review).at("/request/object"), Pod.class);
        mutator = new PodMutator(InjectionSettings.defaults());
        handler = new AdmissionReviewHandler(new PodInjector(mutator));
    }

    @Benchmark
    public MutationResult mutatePod() {
        return mutator.mutate(pod, "bench", EntrypointResolver.NONE);
    }

    @Benchmark
    public byte[] handleAdmissionReview() {
        return ReviewWriter.bytes(handler.handle(review, EntrypointResolver.NONE));
    }
}
