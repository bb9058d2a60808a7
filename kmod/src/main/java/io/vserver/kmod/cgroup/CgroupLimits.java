package io.vserver.kmod.cgroup;

import java.io.IOException;

/**
 * The typed limits of {@link Cgroup}, written to the v1 or v2 file of the hierarchy that
 * manages each controller.
 */
final class CgroupLimits {

    /**
     * v1 reports "no memory limit" as the largest page-aligned long (9223372036854771712 with
     * 4 KiB pages), so any value above half the long range is read as unlimited.
     */
    private static final long V1_UNLIMITED_THRESHOLD = Long.MAX_VALUE / 2;

    private CgroupLimits() {
    }

    static void setMemoryMax(Cgroup group, long bytes) throws IOException {
        checkLimit("memory limit", bytes, "bytes");
        CgroupHierarchy hierarchy = controller(group, "memory");
        if (hierarchy.version() == CgroupVersion.V1) {
            group.set(hierarchy, "memory.limit_in_bytes", Long.toString(bytes));
        } else {
            group.set(hierarchy, "memory.max", v2Value(bytes));
        }
    }

    static long memoryMax(Cgroup group) throws IOException {
        CgroupHierarchy hierarchy = controller(group, "memory");
        if (hierarchy.version() == CgroupVersion.V1) {
            long bytes = parse(group, hierarchy, "memory.limit_in_bytes");
            return bytes > V1_UNLIMITED_THRESHOLD ? Cgroup.UNLIMITED : bytes;
        }
        return parse(group, hierarchy, "memory.max");
    }

    static void setPidsMax(Cgroup group, long tasks) throws IOException {
        checkLimit("task limit", tasks, "tasks");
        group.set(controller(group, "pids"), "pids.max", v2Value(tasks));
    }

    static long pidsMax(Cgroup group) throws IOException {
        return parse(group, controller(group, "pids"), "pids.max");
    }

    static void setCpuMax(Cgroup group, long quotaMicros, long periodMicros) throws IOException {
        CpuMax limit = new CpuMax(quotaMicros, periodMicros);
        CgroupHierarchy hierarchy = controller(group, "cpu");
        if (hierarchy.version() == CgroupVersion.V2) {
            group.set(hierarchy, "cpu.max", limit.toString());
            return;
        }
        // v1 checks the quota against the current period on each write, so lift the quota
        // before changing the period and set the new quota last.
        group.set(hierarchy, "cpu.cfs_quota_us", "-1");
        group.set(hierarchy, "cpu.cfs_period_us", Long.toString(periodMicros));
        if (!limit.isUnlimited()) {
            group.set(hierarchy, "cpu.cfs_quota_us", Long.toString(quotaMicros));
        }
    }

    static CpuMax cpuMax(Cgroup group) throws IOException {
        CgroupHierarchy hierarchy = controller(group, "cpu");
        if (hierarchy.version() == CgroupVersion.V1) {
            long quota = Long.parseLong(group.read(hierarchy, "cpu.cfs_quota_us"));
            long period = Long.parseLong(group.read(hierarchy, "cpu.cfs_period_us"));
            return new CpuMax(quota < 0 ? Cgroup.UNLIMITED : quota, period);
        }
        String value = group.read(hierarchy, "cpu.max");
        String[] parts = value.split(" ");
        try {
            long quota = parts[0].equals("max") ? Cgroup.UNLIMITED : Long.parseLong(parts[0]);
            return new CpuMax(quota, Long.parseLong(parts[1]));
        } catch (RuntimeException e) {
            throw new CgroupException("Invalid content \"" + value + "\" of cpu.max in " + group
                    + ": expected QUOTA PERIOD or max PERIOD", e);
        }
    }

    private static CgroupHierarchy controller(Cgroup group, String controller)
            throws CgroupException {
        return group.hierarchies().forController(controller).orElseThrow(() ->
                new CgroupException("No mounted cgroup hierarchy has the " + controller
                        + " controller that " + group + " needs; mounted: "
                        + group.hierarchies().describe()));
    }

    private static void checkLimit(String limitName, long value, String unit) {
        if (value < 0 && value != Cgroup.UNLIMITED) {
            throw new IllegalArgumentException("Invalid " + limitName + " " + value + " " + unit
                    + ": expected 0 or more, or UNLIMITED (-1)");
        }
    }

    private static String v2Value(long value) {
        return value == Cgroup.UNLIMITED ? "max" : Long.toString(value);
    }

    private static long parse(Cgroup group, CgroupHierarchy hierarchy, String file)
            throws IOException {
        String value = group.read(hierarchy, file);
        if (value.equals("max")) {
            return Cgroup.UNLIMITED;
        }
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new CgroupException("Invalid content \"" + value + "\" of " + file + " in "
                    + group + ": expected a number or max", e);
        }
    }
}
