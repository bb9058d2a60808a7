package io.vserver.limits.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
import io.vserver.kmod.cgroup.CpuMax;

/**
 * Limits written into a real cgroup under a {@code vserver-test-*} parent that the test creates
 * and removes. Needs root and the memory, pids and cpu controllers.
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
}
