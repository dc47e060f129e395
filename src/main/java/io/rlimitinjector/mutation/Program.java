package io.rlimitinjector.mutation;

import java.util.List;
import java.util.Map;

/**
 * What a container runs, split the way Kubernetes does: the program to wrap, the args to set if the pod sets none,
 * and where it was learned.
 *
 * @param entrypoint what goes after {@code launch --} in {@code command}
 * @param defaultArgs the image CMD, used only when the pod sets neither command nor args
 * @param imageEnv the image's environment, a hint for the auto mode
 * @param source {@code command}, {@code annotation} or {@code registry}
 */
record Program(List<String> entrypoint, List<String> defaultArgs, Map<String, String> imageEnv, String source) {
}
