package io.rlimitinjector.mutation;

import java.util.Locale;
import java.util.Set;

/** Names users type and tools read; DESIGN.md lists them and they must stay stable. */
public final class Contract {
    public static final String PREFIX = "rlimit-injector.io/";

    public static final String INJECT = PREFIX + "inject";
    /** Values of the {@link #INJECT} annotation that opt a pod out: "false", and the pod label's "disabled". */
    private static final Set<String> OPT_OUT = Set.of("false", "disabled");
    /** Values of the {@link #INJECT} annotation that change nothing: the pod is injected. */
    public static final Set<String> OPT_IN = Set.of("true", "enabled");

    /** Whether this value of the {@link #INJECT} annotation opts the pod out; null (no annotation) does not. */
    public static boolean optsOut(String injectAnnotation) {
        return injectAnnotation != null && OPT_OUT.contains(injectAnnotation.trim().toLowerCase(Locale.ROOT));
    }
    public static final String MODE = PREFIX + "mode";
    public static final String RATIO = PREFIX + "ratio";
    public static final String EXCLUDE_CONTAINERS = PREFIX + "exclude-containers";
    public static final String COMMAND_PREFIX = PREFIX + "command.";
    public static final String GO_SOFT_LIMIT = PREFIX + "go-soft-limit";
    public static final String STATUS = PREFIX + "status";

    public static final String VOLUME = "rlimit-injector";
    public static final String MOUNT_PATH = "/rlimit-injector";
    public static final String LAUNCHER = MOUNT_PATH + "/launch";
    public static final String INSTALL_CONTAINER = "rlimit-injector-install";

    public static final String ENV_MEMORY_LIMIT = "RLIMIT_INJECTOR_MEMORY_LIMIT";
    public static final String ENV_MODE = "RLIMIT_INJECTOR_MODE";
    public static final String ENV_RATIO = "RLIMIT_INJECTOR_RATIO";
    public static final String ENV_GO_SOFT_LIMIT = "RLIMIT_INJECTOR_GO_SOFT_LIMIT";

    private Contract() {
    }

    public static String modeFor(String container) {
        return MODE + "." + container;
    }

    public static String commandFor(String container) {
        return COMMAND_PREFIX + container;
    }
}
