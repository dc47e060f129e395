package io.rlimitinjector.mutation;

/**
 * What the launcher will set for a memory limit, computed here the same way so the status annotation shows it. The
 * launcher's {@code budget.go} is the original; {@code rlimit-vectors.tsv} holds examples both sides are tested on.
 *
 * <p>The pod's memory cgroup is charged more than the program's address space: kernel memory growing with the
 * resident set (page tables, slabs) and a fixed part (the launcher's copy, the pause container). The headroom keeps
 * the rlimit below the cgroup limit by that much, so the rlimit fires before the OOM killer.
 */
public final class MemoryBudget {
    private static final int HEADROOM_SHIFT = 8;
    private static final long HEADROOM_FIXED = 4L << 20;
    private static final double GO_SOFT_SHARE = 0.9;
    /** The launcher's floor ({@code minRlimit}): under it the JVM, Node.js and Go cannot start, so none is set. */
    public static final long MIN_RLIMIT = 56L << 20;

    private MemoryBudget() {
    }

    /** What the launcher keeps below {@code limit}: limit/256 + 4 MiB, at most half the limit. */
    public static long headroom(long limit) {
        return Math.min((limit >>> HEADROOM_SHIFT) + HEADROOM_FIXED, limit / 2);
    }

    /** The rlimit for a memory limit: the limit less the headroom, times the user's ratio; 0 (none) under the floor. */
    public static long rlimit(long limit, double ratio) {
        long rlimit = (long) ((double) (limit - headroom(limit)) * ratio);
        return rlimit < MIN_RLIMIT ? 0 : rlimit;
    }

    /** The {@code GOMEMLIMIT} a Go program gets under {@code rlimit}, unless it sets its own. */
    public static long goSoftLimit(long rlimit) {
        return (long) ((double) rlimit * GO_SOFT_SHARE);
    }
}
