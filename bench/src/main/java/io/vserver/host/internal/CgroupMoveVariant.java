package io.vserver.host.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.vserver.kmod.cgroup.Cgroup;
import io.vserver.kmod.cgroup.CgroupHierarchies;
import io.vserver.kmod.cgroup.CgroupHierarchy;

/**
 * The variant {@code cgroup2-move}: one write of a pid to {@code cgroup.procs} of the cgroup2
 * hierarchy, the step with which the host attaches a guest's init to cgroup2 after vcontext
 * has cloned it. The moved process is a {@code sleep} that this variant starts, moved back and
 * forth between two groups under the benchmark's cgroup parent.
 *
 * <p>The write takes the kernel's {@code cgroup_threadgroup_rwsem} for writing, which waits for
 * an RCU grace period unless another write came shortly before. So the variant pauses before
 * each timed move, as a single guest start would find the lock, and must not run interleaved
 * with other variants that it would speed up.
 */
final class CgroupMoveVariant implements InterleavedRuns.Variant, AutoCloseable {

    private final CgroupHierarchy unified;
    private final Cgroup[] groups;
    private final Process sleeper;
    private final Duration pause;
    private int moves;

    private CgroupMoveVariant(CgroupHierarchy unified, Cgroup[] groups, Process sleeper, Duration pause) {
        this.unified = unified;
        this.groups = groups;
        this.sleeper = sleeper;
        this.pause = pause;
    }

    /**
     * Creates the variant, or returns empty when no cgroup2 hierarchy is mounted.
     *
     * @param pause the idle time before each timed move
     */
    static Optional<CgroupMoveVariant> create(String cgroupParent, Duration pause) throws IOException {
        CgroupHierarchies hierarchies = CgroupHierarchies.discover();
        if (hierarchies.unified().isEmpty()) {
            return Optional.empty();
        }
        Cgroup[] groups = {hierarchies.group(cgroupParent + "/move-a"), hierarchies.group(cgroupParent + "/move-b")};
        for (Cgroup group : groups) {
            group.create();
        }
        Process sleeper = new ProcessBuilder("/bin/sleep", "1000000").start();
        return Optional.of(new CgroupMoveVariant(hierarchies.unified().get(), groups, sleeper, pause));
    }

    @Override
    public List<String> figures() {
        return List.of("cgroup2-move");
    }

    @Override
    public long[] measure() throws IOException, InterruptedException {
        Thread.sleep(pause.toMillis());
        Cgroup target = groups[moves++ % 2];
        long begin = System.nanoTime();
        target.attach(unified, (int) sleeper.pid());
        return new long[] {System.nanoTime() - begin};
    }

    /** Ends the sleep; the host's close removes the two groups with its cgroup parent. */
    @Override
    public void close() {
        sleeper.destroyForcibly();
    }
}
