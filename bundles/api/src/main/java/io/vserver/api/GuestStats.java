package io.vserver.api;

import java.time.Duration;
import java.util.Objects;

/**
 * The resource use of one running guest, read from its cgroups and from {@code /proc}, for
 * {@code vserver:stat}. A reading whose cgroup controller is not mounted, or whose file the
 * kernel does not provide, is {@link #UNKNOWN} (or null for durations).
 *
 * @param name the guest's name
 * @param xid the context id the guest runs as
 * @param processes the number of processes in the guest's cgroups
 * @param virtualBytes the sum of the processes' virtual memory sizes (VSZ)
 * @param residentBytes the sum of the processes' resident set sizes (RSS); shared pages count once per process
 * @param memoryBytes the memory the guest's cgroup is charged for ({@code memory.usage_in_bytes} on cgroup v1,
 *     {@code memory.current} on v2), or {@link #UNKNOWN}
 * @param memoryLimitBytes the memory limit, or {@link #UNLIMITED} when there is none or the memory controller is
 *     not mounted
 * @param cpuUser the CPU time spent in user mode, or null when unknown
 * @param cpuSystem the CPU time spent in kernel mode, or null when unknown
 * @param uptime the time since the guest's init started
 * @param oomKills processes the kernel's OOM killer ended because the guest reached its memory limit
 *     ({@code oom_kill} of {@code memory.oom_control} on v1, of {@code memory.events} on v2), or {@link #UNKNOWN}
 * @param forkFailures forks and clones refused at the task limit ({@code max} of {@code pids.events}), or
 *     {@link #UNKNOWN}
 * @param throttledPeriods CPU bandwidth periods in which the guest was throttled at its CPU limit
 *     ({@code nr_throttled} of {@code cpu.stat}), or {@link #UNKNOWN}
 */
public record GuestStats(String name, int xid, int processes, long virtualBytes, long residentBytes,
        long memoryBytes, long memoryLimitBytes, Duration cpuUser, Duration cpuSystem, Duration uptime,
        long oomKills, long forkFailures, long throttledPeriods) {

    /** The value of a counter or size that could not be read. */
    public static final long UNKNOWN = -1;

    /** The value of {@link #memoryLimitBytes()} when no limit applies. */
    public static final long UNLIMITED = -1;

    public GuestStats {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(uptime, "uptime");
    }
}
