package io.rlimitinjector.mutation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.rlimitinjector.json.Json;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which limit binds a container under pod-level resources, and how the launcher gets it. */
class MemoryLimitTest {
    @Test
    void theContainersOwnLimitWithoutAPodLevelOne() {
        MemoryLimit limit = MemoryLimit.of(container("app", "512Mi"), pod(null).getSpec());

        assertThat(limit).isEqualTo(new MemoryLimit("512Mi", 512L << 20, MemoryLimit.Source.CONTAINER));
        assertThat(limit.literal()).as("the downward API carries it").isEmpty();
    }

    @Test
    void aContainerWithoutALimitGetsThePodsThroughTheDownwardApi() {
        MemoryLimit limit = MemoryLimit.of(container("app", null), pod("1Gi").getSpec());

        assertThat(limit).isEqualTo(new MemoryLimit("1Gi", 1L << 30, MemoryLimit.Source.POD));
        assertThat(limit.literal()).as("the kubelet's downward API falls back to the pod's").isEmpty();
    }

    @Test
    void aTighterOwnLimitWinsAndAnEqualOneToo() {
        assertThat(MemoryLimit.of(container("app", "256Mi"), pod("1Gi").getSpec()).source())
                .isEqualTo(MemoryLimit.Source.CONTAINER);
        assertThat(MemoryLimit.of(container("app", "1024Mi"), pod("1Gi").getSpec()).source())
                .isEqualTo(MemoryLimit.Source.CONTAINER);
    }

    @Test
    void aTighterPodLimitIsPassedAsALiteralValue() {
        MemoryLimit limit = MemoryLimit.of(container("proxy", "2Gi"), pod("1Gi").getSpec());

        assertThat(limit).isEqualTo(new MemoryLimit("1Gi", 1L << 30, MemoryLimit.Source.POD_TIGHTER));
        assertThat(limit.literal()).as("the downward API would give the looser 2Gi").contains("1073741824");
    }

    @Test
    void noLimitAnywhereOrAnInvalidOneIsUnusable() {
        assertThat(unusable(container("app", null), pod(null))).isEqualTo(SkipReason.NO_MEMORY_LIMIT);
        assertThat(unusable(container("app", "lots"), pod("1Gi"))).isEqualTo(SkipReason.INVALID_MEMORY_LIMIT);
        assertThat(unusable(container("app", null), pod("lots"))).isEqualTo(SkipReason.INVALID_MEMORY_LIMIT);
        assertThat(MemoryLimit.of(container("app", "512Mi"), pod("lots").getSpec()).source())
                .as("an invalid pod-level limit leaves the container's own").isEqualTo(MemoryLimit.Source.CONTAINER);
    }

    @Test
    void forComparingContainersNoLimitIsTheLargestAndAnInvalidOneTheSmallest() {
        assertThat(MemoryLimit.bytesOrUnlimited(container("app", null), pod(null).getSpec())).isEqualTo(Long.MAX_VALUE);
        assertThat(MemoryLimit.bytesOrUnlimited(container("app", "lots"), pod(null).getSpec())).isZero();
        assertThat(MemoryLimit.bytesOrUnlimited(container("app", null), pod("8Mi").getSpec())).isEqualTo(8L << 20);
    }

    @Test
    void containersThatAddUpToMoreThanThePodsLimitAreWarnedOf() {
        Pod pod = pod("1Gi", container("app", "512Mi"), container("helper", null));

        assertThat(MemoryLimit.overcommit(pod.getSpec(), wrapped("app")))
                .hasValueSatisfying(warning -> assertThat(warning)
                        .contains("pod-level limit 1Gi", "OOM-killed").endsWith(": \"app\" 512Mi, \"helper\" 1Gi (the pod's)"));
    }

    @Test
    void containersWithinThePodsLimitOrAloneOrNotWrappedAreNot() {
        assertThat(MemoryLimit.overcommit(pod("1Gi", container("app", null)).getSpec(), wrapped("app")))
                .as("one container").isEmpty();
        assertThat(MemoryLimit.overcommit(pod("1Gi", container("app", "512Mi"), container("cache", "512Mi")).getSpec(),
                wrapped("app"))).as("adding up to the pod's").isEmpty();
        assertThat(MemoryLimit.overcommit(pod("1Gi", container("app", null), container("helper", null)).getSpec(),
                List.of())).as("none wrapped").isEmpty();
        assertThat(MemoryLimit.overcommit(pod(null, container("app", "1Gi"), container("helper", "1Gi")).getSpec(),
                wrapped("app"))).as("no pod-level limit").isEmpty();
    }

    @Test
    void sidecarsRunAlongsideButPlainInitContainersBefore() {
        Pod pod = pod("1Gi", container("app", "768Mi"));
        Container sidecar = container("proxy", "512Mi");
        sidecar.setRestartPolicy("Always");
        pod.getSpec().setInitContainers(List.of(container("migrate", "1Gi"), sidecar));
        assertThat(MemoryLimit.overcommit(pod.getSpec(), wrapped("app"))).hasValueSatisfying(warning -> assertThat(warning)
                .contains("\"proxy\" 512Mi, \"app\" 768Mi").doesNotContain("migrate"));

        sidecar.setRestartPolicy(null);
        assertThat(MemoryLimit.overcommit(pod.getSpec(), wrapped("app"))).isEmpty();
    }

    private static SkipReason unusable(Container container, Pod pod) {
        return catchThrowableOfType(MemoryLimit.Unusable.class, () -> MemoryLimit.of(container, pod.getSpec())).reason();
    }

    private static List<ContainerDecision> wrapped(String name) {
        return List.of(ContainerDecision.wrapped(ContainerRef.of(container(name, null)),
                new ModeChoice(Mode.AS, "test"), 1, null, null, null, null, "command", "launcher"));
    }

    private static Container container(String name, String limit) {
        return Json.YAML.readValue("name: " + name + "\nimage: app:1\n"
                + (limit == null ? "" : "resources: {limits: {memory: " + limit + "}}\n"), Container.class);
    }

    private static Pod pod(String limit, Container... containers) {
        Pod pod = Json.YAML.readValue("spec:\n  containers: []\n" + (limit == null ? "" : "  resources: {limits: {memory: " + limit
                + "}}\n"), Pod.class);
        pod.getSpec().setContainers(List.of(containers));
        return pod;
    }
}
