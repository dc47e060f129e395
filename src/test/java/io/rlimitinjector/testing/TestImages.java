package io.rlimitinjector.testing;

import io.rlimitinjector.mutation.EntrypointResolver;
import io.rlimitinjector.mutation.ImageConfig;
import java.util.List;
import java.util.Map;

/** A fixed set of image configs standing in for a registry, for tests of the mutation rules only. */
public final class TestImages {
    public static final EntrypointResolver RESOLVER = (image, pod, namespace) -> switch (image) {
        case "registry.test/entrypoint-only:1" ->
                EntrypointResolver.Lookup.found(new ImageConfig(List.of("/usr/bin/server", "--serve"), List.of(),
                        Map.of(), List.of()));
        case "registry.test/cmd-only:1" ->
                EntrypointResolver.Lookup.found(new ImageConfig(List.of(), List.of("python3", "app.py"),
                        Map.of("PYTHON_VERSION", "3.12.1"), List.of()));
        case "registry.test/both:1" ->
                EntrypointResolver.Lookup.found(new ImageConfig(List.of("/docker-entrypoint.sh"),
                        List.of("node", "server.js"), Map.of("NODE_VERSION", "20.11.0"), List.of()));
        case "registry.test/go-settings:1" ->
                EntrypointResolver.Lookup.found(new ImageConfig(List.of(), List.of("python3", "app.py"),
                        Map.of("PYTHON_VERSION", "3.12.1", "GOMEMLIMIT", "1G"), List.of()));
        case "registry.test/empty:1" ->
                EntrypointResolver.Lookup.found(new ImageConfig(List.of(), List.of(), Map.of(), List.of()));
        default -> EntrypointResolver.Lookup.failed("image not in the test registry");
    };

    private TestImages() {
    }
}
