package io.rlimitinjector.mutation;

import java.util.List;
import java.util.Map;

/**
 * What an image runs when the pod does not say: its ENTRYPOINT and CMD, and the environment it sets, which helps
 * recognise the runtime.
 */
public record ImageConfig(List<String> entrypoint, List<String> cmd, Map<String, String> env, List<String> warnings) {
    public ImageConfig {
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        env = Map.copyOf(env);
        warnings = List.copyOf(warnings);
    }
}
