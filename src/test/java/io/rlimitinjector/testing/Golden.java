package io.rlimitinjector.testing;

import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import tools.jackson.databind.JsonNode;

/**
 * The golden pod shapes: {@code golden/NAME.yaml} is a pod, {@code golden/NAME.injected.yaml} the pod the webhook
 * makes of it (led by its warnings as comments), with the settings and test registry they were recorded with.
 */
public final class Golden {
    public static final Path DIRECTORY = Path.of("src/test/resources/golden");
    public static final InjectionSettings SETTINGS = InjectionSettings.defaults()
            .withLauncherImage("registry.test/rlimit-injector/launcher@sha256:" + "0".repeat(64));

    private Golden() {
    }

    /** A mutator as the golden files were recorded with. */
    public static PodMutator mutator() {
        return new PodMutator(SETTINGS, TestImages.RESOLVER);
    }

    /** The case names, sorted. */
    public static List<String> cases() throws IOException {
        try (Stream<Path> files = Files.list(DIRECTORY)) {
            return files.map(path -> path.getFileName().toString())
                    .filter(name -> name.endsWith(".yaml") && !name.endsWith(".injected.yaml"))
                    .map(name -> name.substring(0, name.length() - ".yaml".length()))
                    .sorted()
                    .toList();
        }
    }

    public static JsonNode input(String name) throws IOException {
        return Json.YAML.readTree(Files.readString(DIRECTORY.resolve(name + ".yaml")));
    }

    public static Path expectedFile(String name) {
        return DIRECTORY.resolve(name + ".injected.yaml");
    }

    /** The expected pod, without the warnings (YAML comments). */
    public static JsonNode expected(String name) throws IOException {
        return Json.YAML.readTree(Files.readString(expectedFile(name)));
    }
}
