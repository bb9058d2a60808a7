package io.vserver.host.internal;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.api.GuestStats;
import io.vserver.kmod.cgroup.Cgroup;
import io.vserver.kmod.cgroup.CgroupHierarchies;
import io.vserver.kmod.cgroup.CgroupHierarchy;
import io.vserver.kmod.cgroup.CgroupVersion;
import io.vserver.kmod.proc.ProcFs;
import io.vserver.kmod.proc.ProcStat;

/**
 * Reads the resource use of a running guest from the files of its cgroups, in the hierarchy
 * that manages each controller (cgroup v1 or v2), and from {@code /proc/PID/stat} of its
 * processes. A controller that is not mounted or a file the kernel lacks gives
 * {@link GuestStats#UNKNOWN} instead of an error.
 */
final class GuestStatsReader {

    private static final Logger LOG = LoggerFactory.getLogger(GuestStatsReader.class);

    /**
     * The unit of {@code cpuacct.stat}, USER_HZ ticks per second. The kernel converts from its
     * own HZ to USER_HZ, which is 100 on x86-64 and arm64 ({@code getconf CLK_TCK}).
     */
    private static final long USER_HZ = 100;

    private final CgroupHierarchies hierarchies;
    private final ProcFs proc;

    GuestStatsReader(CgroupHierarchies hierarchies, ProcFs proc) {
        this.hierarchies = hierarchies;
        this.proc = proc;
    }

    /** Reads the statistics of one run. */
    GuestStats read(GuestRun run) throws IOException {
        Cgroup group = hierarchies.group(run.record().cgroupPath());
        int processes = 0;
        long virtualBytes = 0;
        long residentBytes = 0;
        for (int pid : group.pids()) {
            Optional<ProcStat> stat = proc.findStat(pid);
            if (stat.isEmpty()) {
                continue;
            }
            processes++;
            virtualBytes += stat.get().vsize();
            residentBytes += stat.get().rssBytes();
        }
        Duration[] cpu = cpuTimes(group);
        Duration uptime = run.startedAt() == null ? Duration.ZERO : Duration.between(run.startedAt(), Instant.now());
        return new GuestStats(run.record().name(), run.record().xid(), processes, virtualBytes, residentBytes,
                memoryUse(group), memoryLimit(group), cpu[0], cpu[1], uptime, oomKills(group),
                field(group, "pids", "pids.events", "max"), field(group, "cpu", "cpu.stat", "nr_throttled"));
    }

    private long memoryUse(Cgroup group) {
        Optional<CgroupHierarchy> memory = hierarchies.forController("memory");
        if (memory.isEmpty()) {
            return GuestStats.UNKNOWN;
        }
        String file = memory.get().version() == CgroupVersion.V1 ? "memory.usage_in_bytes" : "memory.current";
        return readFile(group, memory.get(), file).map(GuestStatsReader::parseLong).orElse(GuestStats.UNKNOWN);
    }

    private long memoryLimit(Cgroup group) {
        if (hierarchies.forController("memory").isEmpty()) {
            return GuestStats.UNLIMITED;
        }
        try {
            long limit = group.memoryMax();
            return limit == Cgroup.UNLIMITED ? GuestStats.UNLIMITED : limit;
        } catch (IOException | RuntimeException e) {
            LOG.debug("Cannot read the memory limit of {}: {}", group, e.getMessage());
            return GuestStats.UNLIMITED;
        }
    }

    private long oomKills(Cgroup group) {
        Optional<CgroupHierarchy> memory = hierarchies.forController("memory");
        if (memory.isEmpty()) {
            return GuestStats.UNKNOWN;
        }
        String file = memory.get().version() == CgroupVersion.V1 ? "memory.oom_control" : "memory.events";
        return readFile(group, memory.get(), file).map(text -> keyedValue(text, "oom_kill"))
                .orElse(GuestStats.UNKNOWN);
    }

    /**
     * Returns the user and system CPU time: {@code user_usec} and {@code system_usec} of v2
     * {@code cpu.stat}, else {@code user} and {@code system} of v1 {@code cpuacct.stat} in USER_HZ
     * ticks. An entry is null when it cannot be read.
     */
    private Duration[] cpuTimes(Cgroup group) {
        Optional<CgroupHierarchy> cpu = hierarchies.forController("cpu");
        if (cpu.isPresent() && cpu.get().version() == CgroupVersion.V2) {
            Optional<String> stat = readFile(group, cpu.get(), "cpu.stat");
            return new Duration[] {stat.map(text -> micros(keyedValue(text, "user_usec"))).orElse(null),
                stat.map(text -> micros(keyedValue(text, "system_usec"))).orElse(null)};
        }
        Optional<CgroupHierarchy> cpuacct = hierarchies.forController("cpuacct");
        if (cpuacct.isEmpty()) {
            return new Duration[] {null, null};
        }
        Optional<String> stat = readFile(group, cpuacct.get(), "cpuacct.stat");
        return new Duration[] {stat.map(text -> ticks(keyedValue(text, "user"))).orElse(null),
            stat.map(text -> ticks(keyedValue(text, "system"))).orElse(null)};
    }

    /** Returns the value of a {@code KEY VALUE} line of a controller's file, or {@link GuestStats#UNKNOWN}. */
    private long field(Cgroup group, String controller, String file, String key) {
        Optional<CgroupHierarchy> hierarchy = hierarchies.forController(controller);
        if (hierarchy.isEmpty()) {
            return GuestStats.UNKNOWN;
        }
        return readFile(group, hierarchy.get(), file).map(text -> keyedValue(text, key)).orElse(GuestStats.UNKNOWN);
    }

    private static Optional<String> readFile(Cgroup group, CgroupHierarchy hierarchy, String file) {
        try {
            return Optional.of(group.read(hierarchy, file));
        } catch (IOException e) {
            LOG.debug("Cannot read {} of {} in {}: {}", file, group, hierarchy.name(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Returns the number after {@code key} in a flat keyed file such as {@code memory.events}
     * ({@code oom_kill 2}), or {@link GuestStats#UNKNOWN} when the file has no such line.
     */
    static long keyedValue(String text, String key) {
        for (String line : text.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length == 2 && fields[0].equals(key)) {
                return parseLong(fields[1]);
            }
        }
        return GuestStats.UNKNOWN;
    }

    private static long parseLong(String text) {
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            return GuestStats.UNKNOWN;
        }
    }

    private static Duration micros(long value) {
        return value < 0 ? null : Duration.ofNanos(value * 1000);
    }

    private static Duration ticks(long value) {
        return value < 0 ? null : Duration.ofMillis(value * 1000 / USER_HZ);
    }
}
