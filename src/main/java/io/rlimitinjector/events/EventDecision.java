package io.rlimitinjector.events;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.rlimitinjector.inject.Admission;
import io.rlimitinjector.mutation.ContainerDecision;
import io.rlimitinjector.mutation.Contract;
import io.rlimitinjector.mutation.MutationResult;
import io.rlimitinjector.mutation.SkipReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Which Events an answered admission calls for, from the admission alone: no I/O, no state. */
public final class EventDecision {
    public static final String INJECTED = "Injected";
    public static final String NOT_INJECTED = "NotInjected";
    /** The API server refuses longer notes. */
    static final int MAX_NOTE_LENGTH = 1024;
    /** Skips the pod's author asked for; any other skip means a container is unprotected against expectations. */
    private static final Set<String> CHOSEN_SKIPS = Set.of(SkipReason.EXCLUDED.code(), SkipReason.MODE_OFF.code());

    private EventDecision() {
    }

    /**
     * Nothing for a dry run (nothing is stored), for a failure or anything but a pod creation, and for an answer
     * that changes nothing: the API server's reinvocation finds our status already there, and a pod opted out by
     * annotation gets no status at all. Otherwise {@code Injected} if a container was wrapped and
     * {@code NotInjected} if one was skipped, or the whole pod was; a pod can get both.
     */
    public static List<PodReport> reports(Admission admission) {
        MutationResult mutation = admission.mutation();
        if (admission.dryRun() || mutation == null || !admission.patched()) {
            return List.of();
        }
        String pod = "Pod " + admission.pod();
        if (mutation.skipped() != null) {
            return List.of(new PodReport("Normal", NOT_INJECTED, note(pod + " not changed: " + mutation.skipped())));
        }
        List<PodReport> reports = new ArrayList<>();
        List<ContainerDecision> wrapped = mutation.decisions().stream().filter(ContainerDecision::isWrapped).toList();
        if (!wrapped.isEmpty()) {
            reports.add(new PodReport("Normal", INJECTED, note(pod + ": wrapped " + wrapped.stream()
                    .map(decision -> decision.name() + " (mode " + decision.mode() + ")")
                    .collect(Collectors.joining(", ")))));
        }
        List<ContainerDecision> skipped = mutation.decisions().stream()
                .filter(decision -> !decision.isWrapped()).toList();
        if (!skipped.isEmpty()) {
            boolean allChosen = skipped.stream().allMatch(decision -> CHOSEN_SKIPS.contains(decision.reason()));
            reports.add(new PodReport(allChosen ? "Normal" : "Warning", NOT_INJECTED, note(pod + ": not wrapped "
                    + skipped.stream().map(decision -> decision.name() + " (" + decision.reason() + ")")
                            .collect(Collectors.joining(", "))
                    + "; see the pod's " + Contract.STATUS + " annotation")));
        }
        return reports;
    }

    /**
     * The owner with {@code controller: true}, such as a ReplicaSet or a Job. At admission the pod itself has no
     * uid yet, so this is the only object an Event about it can be put on.
     */
    public static Optional<OwnerReference> controller(Admission admission) {
        ObjectMeta metadata = admission.mutation() == null ? null : admission.mutation().pod().getMetadata();
        if (metadata == null || metadata.getOwnerReferences() == null) {
            return Optional.empty();
        }
        return metadata.getOwnerReferences().stream()
                .filter(owner -> Boolean.TRUE.equals(owner.getController()))
                .filter(owner -> owner.getUid() != null && owner.getName() != null && owner.getKind() != null)
                .findFirst();
    }

    private static String note(String text) {
        return text.length() <= MAX_NOTE_LENGTH ? text : text.substring(0, MAX_NOTE_LENGTH - 3) + "...";
    }
}
