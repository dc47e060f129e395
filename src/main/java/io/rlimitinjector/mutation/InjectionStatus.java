package io.rlimitinjector.mutation;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.rlimitinjector.json.Json;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.JacksonException;

/**
 * The {@code rlimit-injector.io/status} annotation: what the webhook did, per container. It also marks a pod as
 * already seen, so a second admission keeps earlier decisions instead of wrapping twice.
 *
 * @param skipped set when the whole pod was left alone, with the reason
 * @param reason the {@link SkipReason} code of {@code skipped}, where the pod was left alone for one
 * @param delivery how the launcher got into the pod ({@link Delivery}), when a container was wrapped
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InjectionStatus(String skipped, String reason, String delivery, List<ContainerDecision> containers) {

    public InjectionStatus {
        containers = containers == null ? List.of() : List.copyOf(containers);
    }

    public String toJson() {
        return Json.MAPPER.writeValueAsString(this);
    }

    /** The status a previous admission wrote, or empty when there is none or it is not ours to read. */
    public static Optional<InjectionStatus> parse(String json) {
        if (json == null || json.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Json.MAPPER.readValue(json, InjectionStatus.class));
        } catch (JacksonException e) {
            return Optional.empty();
        }
    }

    Optional<ContainerDecision> decisionFor(String name) {
        return containers.stream().filter(decision -> name.equals(decision.name())).findFirst();
    }

    /**
     * Whether the container came after the pass that wrote this status, added by another webhook: the status names
     * the pod's containers but not this one, or names it as such. A status that names none (the whole pod was left
     * alone) tells nothing.
     */
    boolean addedAfter(String name) {
        return !containers.isEmpty() && decisionFor(name)
                .map(decision -> SkipReason.COMMAND_ANNOTATION_IGNORED.code().equals(decision.reason()))
                .orElse(true);
    }
}
