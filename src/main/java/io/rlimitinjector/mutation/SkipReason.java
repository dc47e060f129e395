package io.rlimitinjector.mutation;

import java.util.Locale;

/**
 * Why a container (or, for {@link #LAUNCHER_IMAGE_UNAVAILABLE}, a whole pod) was left alone, as a stable code for
 * metrics and tools; the status also carries the detail.
 */
public enum SkipReason {
    EXCLUDED,
    MODE_OFF,
    NO_MEMORY_LIMIT,
    INVALID_MEMORY_LIMIT,
    MOUNT_CONFLICT,
    ENTRYPOINT_UNKNOWN,
    /** A container another webhook added later, whose image cannot be read: the pod's command annotation is not its. */
    COMMAND_ANNOTATION_IGNORED,
    POD_TOO_SMALL_FOR_INSTALL,
    /** The container's {@code GOMEMLIMIT} is a value Go's runtime refuses, so the launcher, a Go program, would die. */
    INVALID_ENV_GOMEMLIMIT,
    LAUNCHER_IMAGE_UNAVAILABLE;

    /** {@code no-memory-limit} and the like. */
    public String code() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
