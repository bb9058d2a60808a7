package io.vserver.limits.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.Map;

import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;

import io.vserver.api.GuestRecord;
import io.vserver.api.GuestSpec;
import io.vserver.api.LaunchPlan;
import io.vserver.api.RunningGuest;
import io.vserver.api.UpdateOutcome;
import io.vserver.kmod.cgroup.Cgroup;
import io.vserver.kmod.cgroup.CgroupHierarchies;
import io.vserver.kmod.cgroup.CgroupHierarchy;
import io.vserver.kmod.cgroup.CgroupVersion;
import io.vserver.kmod.cgroup.CpuMax;

/**
 * Limits written into a real cgroup under a {@code vserver-test-*} parent that the test creates
 * and removes. Needs root and the memory, pids and cpu controllers; the I/O test also needs the
 * blkio (v1) or io (v2) controller and a block device.
 */
public class LimitsKernelTest {

    private CgroupHierarchies hierarchies;
    private Cgroup parent;
    private Cgroup group;
    private GuestRecord record;

    private static void require(boolean condition, String reason) {
        if (condition) {
            return;
        }
        if (System.getenv("CI") != null) {
            fail(reason + " (CI is set, so kernel tests must not skip)");
        }
        Assume.assumeTrue(reason, false);
    }

    @Before
    public void createGroup() throws Exception {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        require(uid == 0, "needs root to create cgroups, running as uid " + uid);
        hierarchies = CgroupHierarchies.discover();
        for (String controller : List.of("memory", "pids", "cpu")) {
            require(hierarchies.forController(controller).isPresent(), "needs the " + controller
                    + " cgroup controller; mounted: " + hierarchies);
        }
        String parentPath = "vserver-test-limits-" + ProcessHandle.current().pid();
        parent = hierarchies.group(parentPath);
        group = hierarchies.group(parentPath + "/web1");
        group.create();
        record = new GuestRecord("web1", 42, Path.of("/nonexistent/data"), Path.of("/nonexistent/run"), group.path());
    }

    @After
    public void removeGroup() throws Exception {
        if (parent != null) {
            parent.remove();
        }
    }

    private static GuestSpec spec(Map<String, String> settings) {
        return new GuestSpec("web1", 42, List.of(), settings, Map.of());
    }

    @Test
    public void prepareSetsKernelLimits() throws Exception {
        new LimitsElement().prepare(spec(Map.of("limits.memory", "64M", "limits.pids", "50", "limits.cpu", "0.5")),
                record, new LaunchPlan());

        assertEquals(64L << 20, group.memoryMax());
        assertEquals(50, group.pidsMax());
        CpuMax cpu = group.cpuMax();
        assertEquals(50_000, cpu.quotaMicros());
        assertEquals(100_000, cpu.periodMicros());
    }

    @Test
    public void updateChangesKernelLimits() throws Exception {
        LimitsElement element = new LimitsElement();
        GuestSpec old = spec(Map.of("limits.memory", "64M", "limits.pids", "50"));
        element.prepare(old, record, new LaunchPlan());

        Map<String, UpdateOutcome> outcomes = element.update(new RunningGuest(record, old, 4242, 1),
                spec(Map.of("limits.memory", "128M")));

        assertEquals(UpdateOutcome.APPLIED, outcomes.get("limits.memory"));
        assertEquals(UpdateOutcome.APPLIED, outcomes.get("limits.pids"));
        assertEquals(128L << 20, group.memoryMax());
        assertEquals(Cgroup.UNLIMITED, group.pidsMax());
    }

    @Test
    public void cpuWeightAndReadRateReachTheKernel() throws Exception {
        Optional<CgroupHierarchy> io = hierarchies.forController("blkio").or(() -> hierarchies.forController("io"));
        require(io.isPresent(), "needs the blkio or io cgroup controller; mounted: " + hierarchies);
        String device = blockDevice();
        require(device != null, "needs a block device in /sys/block");

        new LimitsElement().prepare(spec(Map.of("limits.cpu.weight", "250", "limits.io.read", device + "=1048576")),
                record, new LaunchPlan());

        CgroupHierarchy cpu = hierarchies.forController("cpu").get();
        if (cpu.version() == CgroupVersion.V1) {
            assertEquals(Long.toString(250 * 1024 / 100), group.read(cpu, "cpu.shares"));
        } else {
            assertEquals("250", group.read(cpu, "cpu.weight"));
        }
        if (io.get().version() == CgroupVersion.V1) {
            assertEquals(device + " 1048576", group.read(io.get(), "blkio.throttle.read_bps_device"));
        } else {
            String line = group.read(io.get(), "io.max");
            assertTrue(line, line.startsWith(device + " rbps=1048576 "));
        }
    }

    @Test
    public void swapLimitGrowsAndShrinks() throws Exception {
        CgroupHierarchy memory = hierarchies.forController("memory").get();
        boolean v1 = memory.version() == CgroupVersion.V1;
        String swapFile = v1 ? "memory.memsw.limit_in_bytes" : "memory.swap.max";
        require(Files.exists(group.directory(memory).resolve(swapFile)), "needs swap accounting (" + swapFile + ")");
        LimitsElement element = new LimitsElement();
        GuestSpec small = spec(Map.of("limits.memory", "64M", "limits.memory.swap", "128M"));
        element.prepare(small, record, new LaunchPlan());
        GuestSpec large = spec(Map.of("limits.memory", "256M", "limits.memory.swap", "512M"));

        // On v1 the memory limit may not exceed memory plus swap, so the write order matters both ways.
        element.update(new RunningGuest(record, small, 4242, 1), large);
        assertEquals(256L << 20, group.memoryMax());
        assertEquals(Long.toString(512L << 20), group.read(memory, swapFile));

        element.update(new RunningGuest(record, large, 4242, 1), small);
        assertEquals(64L << 20, group.memoryMax());
        assertEquals(Long.toString(128L << 20), group.read(memory, swapFile));
    }

    /** Returns MAJOR:MINOR of a block device, preferring disks over loop and RAM devices, or null. */
    private static String blockDevice() throws Exception {
        try (Stream<Path> devices = Files.list(Path.of("/sys/block"))) {
            Optional<Path> chosen = devices.filter(path -> Files.exists(path.resolve("dev")))
                    .min(Comparator.comparing((Path path) -> {
                        String name = path.getFileName().toString();
                        return name.startsWith("loop") || name.startsWith("ram");
                    }).thenComparing(Path::toString));
            return chosen.isEmpty() ? null : Files.readString(chosen.get().resolve("dev")).trim();
        }
    }
}
