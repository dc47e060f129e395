package io.rlimitinjector.testing;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * For tests that need something a laptop may lack (root, cgroups, a real API server or registry): they skip there,
 * but fail when {@code RLIMIT_INJECTOR_NO_SKIP=1}, as in CI, so a missing piece can never pass as green.
 */
public final class Requirements {
    private Requirements() {
    }

    public static void require(boolean available, String what) {
        if (available) {
            return;
        }
        if ("1".equals(System.getenv("RLIMIT_INJECTOR_NO_SKIP"))
                || "1".equals(System.getProperty("rlimit-injector.no-skip"))) {
            fail(what + " is not available, and RLIMIT_INJECTOR_NO_SKIP=1 turns this skip into a failure");
        }
        assumeTrue(false, what + " is not available; skipping");
    }
}
