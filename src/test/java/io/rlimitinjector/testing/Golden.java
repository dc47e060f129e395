package io.rlimitinjector.testing;

import io.rlimitinjector.inject.PodInjector;
import io.rlimitinjector.json.Json;
import io.rlimitinjector.mutation.Delivery;
import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.InjectionSettings;
import io.rlimitinjector.mutation.PodMutator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;
import tools.jackson.databind.JsonNode;

/**
 * The golden pod shapes: {@code golden/NAME.yaml} is a pod, and each delivery records the pod the webhook makes of
 * it (led by its warnings as comments) as {@code NAME.injected.yaml} in its directory, with the settings and test
 * registry below. The init-container delivery, the default, records every shape; the image-volume delivery those
 * where the two differ in more than the volume; the launcher's pull secrets set, by each delivery, those where adding
 * them differs.
 *
 * @param delivery the delivery the webhook is set to
 * @param directory where its {@code NAME.injected.yaml} files are
 * @param settings the webhook's settings but the delivery
 */
public record Golden(Delivery delivery, Path directory, InjectionSettings settings) {
    public static final Path INPUTS = Path.of("src/test/resources/golden");
    private static final String EXPECTED = ".injected.yaml";
    public static final InjectionSettings SETTINGS = InjectionSettings.defaults()
            .withLauncherImage("registry.test/rlimit-injector/launcher@sha256:" + "0".repeat(64));
    public static final Golden INIT_CONTAINER = new Golden(Delivery.INIT_CONTAINER, INPUTS, SETTINGS);
    public static final Golden IMAGE_VOLUME = new Golden(Delivery.IMAGE_VOLUME, INPUTS.resolve("image-volume"), SETTINGS);
    private static final InjectionSettings PULL_SECRETS =
            SETTINGS.withLauncherPullSecrets(List.of("launcher-pull", "shared-pull"));
    public static final Golden PULL_SECRETS_INIT_CONTAINER = new Golden(Delivery.INIT_CONTAINER,
            INPUTS.resolve("launcher-pull-secrets"), PULL_SECRETS);
    public static final Golden PULL_SECRETS_IMAGE_VOLUME = new Golden(Delivery.IMAGE_VOLUME,
            INPUTS.resolve("launcher-pull-secrets/image-volume"), PULL_SECRETS);
    /** The images the golden pods name, as the test registry answers for them. */
    public static final EntrypointResolver RESOLVER = TestImages.RESOLVER;
    public static final List<Golden> ALL = List.of(INIT_CONTAINER, IMAGE_VOLUME, PULL_SECRETS_INIT_CONTAINER,
            PULL_SECRETS_IMAGE_VOLUME);

    /** A mutator as the default delivery's golden files were recorded with. */
    public static PodMutator mutator() {
        return INIT_CONTAINER.mutatorOf();
    }

    /** Every (delivery, case) pair, for parameterised tests. */
    public static Stream<Arguments> everyCase() throws IOException {
        return ALL.stream()
                .flatMap(golden -> golden.cases().stream().map(name -> Arguments.of(golden, name)));
    }

    /** The input shapes' names, sorted. */
    public static List<String> inputs() throws IOException {
        return names(INPUTS, name -> name.endsWith(".yaml") && !name.endsWith(EXPECTED), ".yaml");
    }

    public static JsonNode input(String name) throws IOException {
        return Json.YAML.readTree(Files.readString(INPUTS.resolve(name + ".yaml")));
    }

    public PodMutator mutatorOf() {
        return new PodMutator(settings.withDelivery(delivery));
    }

    /** The entry point the webhook and {@code inject} share, with this delivery's settings. */
    public PodInjector injector() {
        return new PodInjector(mutatorOf());
    }

    /** The shapes recorded in this directory, sorted. */
    public List<String> cases() {
        try {
            return directory.equals(INPUTS) ? inputs() : names(directory, name -> name.endsWith(EXPECTED), EXPECTED);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path expectedFile(String name) {
        return directory.resolve(name + EXPECTED);
    }

    /** The expected pod, without the warnings (YAML comments). */
    public JsonNode expected(String name) throws IOException {
        return Json.YAML.readTree(Files.readString(expectedFile(name)));
    }

    /** Also a label value and a directory name. */
    @Override
    public String toString() {
        return delivery.value() + (settings.launcherPullSecrets().isEmpty() ? "" : "-pull-secrets");
    }

    private static List<String> names(Path directory, Predicate<String> wanted, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(path -> path.getFileName().toString())
                    .filter(wanted)
                    .map(name -> name.substring(0, name.length() - suffix.length()))
                    .sorted()
                    .toList();
        }
    }
}
