package io.rlimitinjector.mutation;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decides the mode of an {@code auto} container from what admission can see: GPU limits, the program it runs, its
 * environment and its image name, in that order of trust.
 */
final class AutoMode {
    private static final Set<String> WRAPPERS = Set.of("env", "tini", "dumb-init", "exec", "nice", "nohup", "setsid");
    private static final Set<String> SHELLS = Set.of("sh", "bash", "ash", "dash", "zsh");
    private static final Pattern WORD_SEPARATORS = Pattern.compile("[/._-]+");
    private static final Pattern TRAILING_VERSION = Pattern.compile("[0-9.]+$");

    private AutoMode() {
    }

    static ModeChoice decide(List<String> program, String image, Collection<String> envNames, Collection<String> gpuResources) {
        if (!gpuResources.isEmpty()) {
            return new ModeChoice(Mode.DATA, "auto: requests GPUs (" + String.join(", ", gpuResources)
                    + "); GPU drivers reserve large address space");
        }
        Optional<String> programName = programName(program);
        for (Runtime runtime : Runtime.values()) {
            if (programName.isPresent() && runtime.runsProgram(programName.get())) {
                return choice(runtime, "command runs \"" + programName.get() + "\"");
            }
        }
        for (Runtime runtime : Runtime.values()) {
            Optional<String> marker = runtime.envMarkers.stream().filter(envNames::contains).findFirst();
            if (marker.isPresent()) {
                return choice(runtime, "environment sets " + marker.get());
            }
        }
        List<String> imageWords = repositoryWords(image);
        for (Runtime runtime : Runtime.values()) {
            if (runtime.namesImage(imageWords)) {
                return choice(runtime, "image \"" + image + "\"");
            }
        }
        return new ModeChoice(Mode.AUTO, "auto: runtime not recognised at admission; the launcher inspects the program");
    }

    private static ModeChoice choice(Runtime runtime, String evidence) {
        return new ModeChoice(runtime.mode, "auto: " + evidence + " (" + runtime.displayName + ")", runtime);
    }

    /** The program a command really runs, looking through wrappers such as {@code env} and {@code sh -c "exec ..."}. */
    static Optional<String> programName(List<String> command) {
        int i = 0;
        while (i < command.size()) {
            String name = basename(command.get(i));
            if (WRAPPERS.contains(name) || name.startsWith("-") || name.contains("=")) {
                i++;
            } else if (name.equals("--")) {
                i++;
            } else if (SHELLS.contains(name)) {
                int script = command.subList(i, command.size()).indexOf("-c") + i;
                if (script < i || script + 1 >= command.size()) {
                    return Optional.of(name);
                }
                return programName(Arrays.asList(command.get(script + 1).trim().split("\\s+")));
            } else {
                return name.isEmpty() ? Optional.empty() : Optional.of(name);
            }
        }
        return Optional.empty();
    }

    private static String basename(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** Words of the repository part of an image reference, without registry host, tag, digest and version suffixes. */
    static List<String> repositoryWords(String image) {
        if (image == null) {
            return List.of();
        }
        String reference = image.split("@", 2)[0];
        int slash = reference.indexOf('/');
        if (slash > 0) {
            String first = reference.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                reference = reference.substring(slash + 1);
            }
        }
        int colon = reference.lastIndexOf(':');
        if (colon > reference.lastIndexOf('/')) {
            reference = reference.substring(0, colon);
        }
        return Arrays.stream(WORD_SEPARATORS.split(reference))
                .map(word -> TRAILING_VERSION.matcher(word).replaceAll(""))
                .filter(word -> !word.isEmpty())
                .toList();
    }
}
