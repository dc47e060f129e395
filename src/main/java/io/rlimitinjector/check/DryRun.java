package io.rlimitinjector.check;

import java.util.List;

/**
 * A server-side dry-run create of the pod: what the API server, with every webhook it calls, would store now.
 *
 * @param status the {@code rlimit-injector.io/status} annotation of the pod it returned, or null
 * @param warnings the API server's warnings, our webhook's among them
 * @param failure why the create was refused, or null
 */
public record DryRun(String status, List<String> warnings, String failure) {
    public DryRun {
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    public static DryRun refused(String failure) {
        return new DryRun(null, List.of(), failure);
    }
}
