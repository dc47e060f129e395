package io.rlimitinjector.mutation;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.rlimitinjector.json.Json;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;

/** Finds what a container runs: its command, else the annotation, else the image config from the registry. */
final class ProgramFinder {
    private static final TypeReference<List<String>> STRINGS = new TypeReference<>() {
    };

    private final EntrypointResolver resolver;

    ProgramFinder(EntrypointResolver resolver) {
        this.resolver = resolver;
    }

    /**
     * The program, or a {@link Failure} whose message says how to fix it.
     *
     * @param addedLater whether another webhook added the container after this one first saw the pod: the pod's
     *     command annotation then does not choose what it runs, its image does
     */
    Program find(Container container, Pod pod, String namespace, Map<String, String> annotations, boolean addedLater,
            List<String> warnings) {
        if (container.getCommand() != null && !container.getCommand().isEmpty()) {
            return new Program(container.getCommand(), List.of(), Map.of(), "command");
        }
        String key = Contract.commandFor(container.getName());
        String annotated = annotations.get(key);
        if (annotated == null) {
            return fromImage(container, pod, namespace, "; set annotation " + key + " to its ENTRYPOINT as a JSON array",
                    warnings);
        }
        if (addedLater) {
            try {
                return fromImage(container, pod, namespace, "", warnings);
            } catch (Failure failure) {
                throw new Failure(SkipReason.COMMAND_ANNOTATION_IGNORED, "annotation " + key + " is not used for a "
                        + "container another webhook added after this one first saw the pod, and " + failure.getMessage());
            }
        }
        List<String> entrypoint = parseCommand(annotated);
        if (entrypoint == null) {
            throw new Failure("annotation " + key + " is not a non-empty JSON array of strings");
        }
        return new Program(entrypoint, List.of(), Map.of(), "annotation");
    }

    /** @param fix what to do about an image that cannot be read, appended to that failure's message */
    private Program fromImage(Container container, Pod pod, String namespace, String fix, List<String> warnings) {
        if (container.getImage() == null || container.getImage().isBlank()) {
            throw new Failure("container has no image");
        }
        EntrypointResolver.Lookup lookup = resolver.resolve(container.getImage(), pod, namespace);
        if (!lookup.isFound()) {
            throw new Failure("entrypoint of image " + container.getImage() + " unknown (" + lookup.failure() + ")" + fix);
        }
        ImageConfig config = lookup.config();
        config.warnings().forEach(warning -> warnings.add("container \"" + container.getName() + "\": " + warning));
        boolean hasArgs = container.getArgs() != null && !container.getArgs().isEmpty();
        if (config.entrypoint().isEmpty() && config.cmd().isEmpty() && !hasArgs) {
            throw new Failure("image " + container.getImage() + " has neither ENTRYPOINT nor CMD");
        }
        return new Program(config.entrypoint(), config.cmd(), config.env(), "registry");
    }

    private static List<String> parseCommand(String json) {
        try {
            List<String> command = Json.MAPPER.readValue(json, STRINGS);
            boolean valid = command != null && !command.isEmpty() && command.stream().allMatch(part -> part != null)
                    && !command.get(0).isEmpty();
            return valid ? command : null;
        } catch (JacksonException e) {
            return null;
        }
    }

    /** The container's program cannot be known; the message is the skip's detail. */
    static final class Failure extends RuntimeException {
        private final SkipReason reason;

        Failure(String message) {
            this(SkipReason.ENTRYPOINT_UNKNOWN, message);
        }

        Failure(SkipReason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }

        SkipReason reason() {
            return reason;
        }
    }
}
