package io.rlimitinjector.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.rlimitinjector.admission.AdmissionReviewHandler;
import io.rlimitinjector.inject.Admission;
import io.rlimitinjector.inject.Outcome;
import io.rlimitinjector.inject.PodInjector;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.testing.Golden;
import io.rlimitinjector.testing.Reviews;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Which Events an admission calls for, from admissions answered by the real handler and mutator. */
class EventDecisionTest {
    private static final String OWNED = """
            metadata:
              generateName: api-7d9c-
              ownerReferences:
                - {apiVersion: apps/v1, kind: ReplicaSet, name: api-7d9c, uid: 1111, controller: true}
            """;

    private final AdmissionReviewHandler handler = new AdmissionReviewHandler(new PodInjector(Golden.mutator()));

    @Test
    void aWrappedAndASkippedContainerGiveInjectedAndAWarningNotInjected() {
        List<PodReport> reports = EventDecision.reports(admit(pod(Reviews.PYTHON_POD)));
        assertThat(reports).containsExactly(
                new PodReport("Normal", "Injected", "Pod api: wrapped api (mode as)"),
                new PodReport("Warning", "NotInjected", "Pod api: not wrapped logs (no-memory-limit); "
                        + "see the pod's rlimit-injector.io/status annotation"));
    }

    @Test
    void skipsThePodAskedForAreNormal() {
        ObjectNode pod = pod(Reviews.PYTHON_POD);
        ((ObjectNode) pod.get("metadata")).putObject("annotations")
                .put("rlimit-injector.io/exclude-containers", "logs");
        assertThat(EventDecision.reports(admit(pod))).extracting(PodReport::reason, PodReport::type)
                .containsExactly(tuple("Injected", "Normal"), tuple("NotInjected", "Normal"));
    }

    @Test
    void aPodLeftAloneAsAWholeSaysWhy() {
        ObjectNode pod = pod(Reviews.PYTHON_POD);
        ((ObjectNode) pod.get("spec")).putObject("os").put("name", "windows");
        assertThat(EventDecision.reports(admit(pod))).containsExactly(new PodReport("Normal", "NotInjected",
                "Pod api not changed: Windows pod; rlimits are a Linux feature"));
    }

    @Test
    void aDryRunCallsForNothing() {
        ObjectNode review = Reviews.podCreate("uid-1", "shop", pod(Reviews.PYTHON_POD));
        ((ObjectNode) review.get("request")).put("dryRun", true);
        Admission admission = handler.handle(bytes(review), Golden.RESOLVER);
        assertThat(admission.outcome()).isEqualTo(Outcome.MUTATED);
        assertThat(EventDecision.reports(admission)).isEmpty();
    }

    @Test
    void theReinvocationThatChangesNothingCallsForNothing() {
        ObjectNode pod = pod(Reviews.PYTHON_POD);
        JsonNode first = Reviews.sent(admit(pod));
        Admission again = admit(Reviews.patched(pod, first));
        assertThat(again.patched()).isFalse();
        assertThat(EventDecision.reports(again)).isEmpty();
    }

    @Test
    void aPodOptedOutByAnnotationCallsForNothing() {
        ObjectNode pod = pod(Reviews.PYTHON_POD);
        ((ObjectNode) pod.get("metadata")).putObject("annotations").put("rlimit-injector.io/inject", "false");
        assertThat(EventDecision.reports(admit(pod))).isEmpty();
    }

    @Test
    void anythingButAPodCreationCallsForNothing() {
        ObjectNode review = Reviews.podCreate("uid-1", "shop", pod(Reviews.PYTHON_POD));
        ((ObjectNode) review.get("request")).put("operation", "UPDATE");
        Admission admission = handler.handle(bytes(review), Golden.RESOLVER);
        assertThat(admission.outcome()).isEqualTo(Outcome.IGNORED);
        assertThat(EventDecision.reports(admission)).isEmpty();
    }

    @Test
    void aLongListIsCutToWhatTheApiServerAccepts() {
        String containers = IntStream.range(0, 60)
                .mapToObj(i -> "    - {name: sidecar-with-a-rather-long-name-number-" + i + ", image: busybox}")
                .collect(Collectors.joining("\n"));
        ObjectNode pod = pod("metadata:\n  name: many\nspec:\n  containers:\n" + containers + "\n");
        PodReport report = EventDecision.reports(admit(pod)).get(0);
        assertThat(report.note()).hasSize(EventDecision.MAX_NOTE_LENGTH).endsWith("...");
    }

    @Test
    void theControllerIsTheOwnerMarkedController() {
        ObjectNode pod = pod(Reviews.PYTHON_POD);
        ((ObjectNode) pod.get("metadata")).putArray("ownerReferences")
                .add(owner("Workflow", "argo", "2222", false))
                .add(owner("ReplicaSet", "api-7d9c", "1111", true));
        assertThat(EventDecision.controller(admit(pod))).get().extracting(OwnerReference::getKind,
                OwnerReference::getUid).containsExactly("ReplicaSet", "1111");
    }

    @Test
    void aPodWithoutAControllerHasNoOwnerForEvents() {
        ObjectNode pod = pod(Reviews.PYTHON_POD);
        ((ObjectNode) pod.get("metadata")).putArray("ownerReferences").add(owner("Workflow", "argo", "2222", false));
        assertThat(EventDecision.controller(admit(pod))).isEmpty();
        assertThat(EventDecision.controller(admit(pod(Reviews.PYTHON_POD)))).isEmpty();
    }

    @Test
    void ownedPodsAreNamedByTheirGenerateName() {
        ObjectNode pod = pod(Reviews.PYTHON_POD);
        pod.set("metadata", Reviews.pod(OWNED).get("metadata"));
        Admission admission = admit(pod);
        assertThat(EventDecision.reports(admission).get(0).note()).startsWith("Pod api-7d9c-*: wrapped api");
        assertThat(EventDecision.controller(admission)).get().extracting(OwnerReference::getName)
                .isEqualTo("api-7d9c");
    }

    private Admission admit(JsonNode pod) {
        return handler.handle(bytes(Reviews.podCreate("uid-1", "shop", pod)), Golden.RESOLVER);
    }

    private static ObjectNode pod(String yaml) {
        return (ObjectNode) Reviews.pod(yaml);
    }

    private static byte[] bytes(JsonNode review) {
        return Json.MAPPER.writeValueAsBytes(review);
    }

    private static ObjectNode owner(String kind, String name, String uid, boolean controller) {
        return Json.MAPPER.createObjectNode().put("apiVersion", "example.io/v1").put("kind", kind).put("name", name)
                .put("uid", uid).put("controller", controller);
    }

    private static org.assertj.core.groups.Tuple tuple(Object... values) {
        return org.assertj.core.groups.Tuple.tuple(values);
    }
}
