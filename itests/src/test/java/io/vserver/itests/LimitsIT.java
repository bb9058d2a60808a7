package io.vserver.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import io.vserver.api.GuestState;
import io.vserver.kmod.cgroup.CgroupHierarchies;
import io.vserver.kmod.cgroup.CgroupHierarchy;
import io.vserver.kmod.cgroup.CgroupVersion;
import io.vserver.kmod.libc.SyscallException;

/**
 * The limits element in the appliance with real guests on the host image: tmpfs sizes, the
 * CPU quota, the address-space rlimit and live changes through {@code vserver:limit}. The
 * evidence is the kernel's own: the guest's /proc/mounts and /proc/PID/limits, and the files of
 * the guest's cgroup.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LimitsIT extends GuestTestSupport {

    private static final long MIB = 1L << 20;

    /** An init that idles until the guest stops. */
    private static final String IDLE_INIT = "/bin/sleep infinity";

    /** Two busy loops: without a quota they would keep both cores of a two-core host busy. */
    private static final String BUSY_LOOPS = "while :; do :; done & while :; do :; done";

    /** How long the CPU use of the busy loops is measured. */
    private static final long CPU_WINDOW_MILLIS = 3_000;

    /** The tmpfs options in /proc/mounts: {@code size=} is in KiB and missing at the tmpfs default size. */
    private static final Pattern SIZE_OPTION = Pattern.compile("(?:^|,)size=(\\d+)k(?:,|$)");

    @Test
    public void shmSizedAndCharged() throws Exception {
        createCommandGuest("shm16", IDLE_INIT, "limits.shm=16M");
        startGuest("shm16");
        assertEquals("size of /dev/shm with limits.shm=16M", 16 * MIB, tmpfsSize("shm16", "/dev/shm"));
        long shmemBefore = shmemBytes("shm16");

        ExecResult fits = exec("shm16", "dd", "if=/dev/zero", "of=/dev/shm/first", "bs=1M", "count=8");
        long chargedFirst = shmemBytes("shm16") - shmemBefore;
        ExecResult overflows = exec("shm16", "dd", "if=/dev/zero", "of=/dev/shm/second", "bs=1M", "count=24");
        long chargedTotal = shmemBytes("shm16") - shmemBefore;

        assertEquals("8 MiB write into /dev/shm: " + fits.describe(), 0, fits.exitCode());
        assertEquals("shmem of the guest's memory cgroup after the 8 MiB write", 8 * MIB, chargedFirst);
        assertNotEquals("24 MiB more into a 16 MiB /dev/shm: " + overflows.describe(), 0, overflows.exitCode());
        assertTrue("error of the write past /dev/shm: " + overflows.describe(),
                overflows.stderr().contains("No space left on device"));
        assertEquals("shmem of the guest's memory cgroup with /dev/shm full", 16 * MIB, chargedTotal);
        assertEquals(GuestState.RUNNING, guests().status("shm16").state());
    }

    @Test
    public void shmDefaultsToMemoryLimit() throws Exception {
        createCommandGuest("shm-default", IDLE_INIT, "limits.memory=64M");
        startGuest("shm-default");

        assertEquals("size of /dev/shm with limits.memory=64M and no limits.shm", 64 * MIB,
                tmpfsSize("shm-default", "/dev/shm"));
        assertEquals("memory limit of the guest's cgroup", 64 * MIB, memoryLimit("shm-default"));
        String tmp = mountOf("shm-default", "/tmp");
        assertFalse("/tmp is a tmpfs without limits.tmp: " + tmp, tmp.startsWith("tmpfs "));
    }

    @Test
    public void tmpIsSizedTmpfs() throws Exception {
        createCommandGuest("tmp8", IDLE_INIT, "limits.tmp=8M");
        startGuest("tmp8");

        assertEquals("size of /tmp with limits.tmp=8M", 8 * MIB, tmpfsSize("tmp8", "/tmp"));
        ExecResult fits = exec("tmp8", "dd", "if=/dev/zero", "of=/tmp/first", "bs=1M", "count=4");
        ExecResult overflows = exec("tmp8", "dd", "if=/dev/zero", "of=/tmp/second", "bs=1M", "count=8");

        assertEquals("4 MiB write into /tmp: " + fits.describe(), 0, fits.exitCode());
        assertNotEquals("8 MiB more into an 8 MiB /tmp: " + overflows.describe(), 0, overflows.exitCode());
        assertTrue("error of the write past /tmp: " + overflows.describe(),
                overflows.stderr().contains("No space left on device"));
    }

    @Test
    public void cpuQuotaHoldsHalfCore() throws Exception {
        createCommandGuest("cpu-half", IDLE_INIT, "limits.cpu=0.5");
        startGuest("cpu-half");
        assertCpuQuota("cpu-half", 50_000, 100_000);

        Process loops = guests().exec("cpu-half", List.of("sh", "-c", BUSY_LOOPS));
        try {
            loops.getOutputStream().close();
            // Lets both loops start before the measured window opens.
            Thread.sleep(500);
            long usageBefore = cpuUsageNanos("cpu-half");
            long wallBefore = System.nanoTime();
            Thread.sleep(CPU_WINDOW_MILLIS);
            long usage = cpuUsageNanos("cpu-half") - usageBefore;
            long wall = System.nanoTime() - wallBefore;

            double cores = (double) usage / wall;
            assertTrue("CPU use of two busy loops under limits.cpu=0.5: " + cores + " cores, expected at least 0.3",
                    cores >= 0.3);
            assertTrue("CPU use of two busy loops under limits.cpu=0.5: " + cores + " cores, expected at most 0.7",
                    cores <= 0.7);
            long throttled = cpuStat("cpu-half", "nr_throttled");
            assertTrue("throttled periods of the guest's cgroup: " + throttled, throttled > 0);
        } finally {
            loops.destroyForcibly();
        }
    }

    @Test
    public void addressSpaceLimitRejectsLargeAllocation() throws Exception {
        long limit = 32 * MIB;
        createCommandGuest("as32", IDLE_INIT, "limits.rlimit.as=" + limit);
        int reaper = startGuest("as32").initPid();

        Pattern limitLine = Pattern.compile("\\nMax address space +" + limit + " +" + limit + " +bytes");
        String execLimits = execOk("as32", "cat", "/proc/self/limits");
        int init = initChild(reaper);
        String initLimits = Files.readString(Path.of("/proc", Integer.toString(init), "limits"));

        assertTrue("limits of an exec'ed process: " + execLimits, limitLine.matcher(execLimits).find());
        assertTrue("limits of init " + init + ": " + initLimits, limitLine.matcher(initLimits).find());

        ExecResult large = exec("as32", "busybox", "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1");
        ExecResult small = exec("as32", "busybox", "dd", "if=/dev/zero", "of=/dev/null", "bs=8M", "count=1");

        assertNotEquals("64 MiB buffer under a 32 MiB address space: " + large.describe(), 0, large.exitCode());
        // Busybox reports a failed malloc(), here ENOMEM from mmap() above RLIMIT_AS, as "out of memory".
        assertTrue("error of the 64 MiB buffer: " + large.describe(), large.stderr().contains("out of memory"));
        assertEquals("8 MiB buffer under a 32 MiB address space: " + small.describe(), 0, small.exitCode());
    }

    @Test
    public void liveChangeAppliedOrNeedsRestart() throws Exception {
        createCommandGuest("resized", IDLE_INIT, "limits.memory=64M");
        startGuest("resized");
        awaitCommand("vserver", "limit");
        assertEquals("memory limit at start", 64 * MIB, memoryLimit("resized"));

        String memoryOutput = executeCommand("vserver:limit resized limits.memory=48M");

        assertTrue("output of the memory change: " + memoryOutput, memoryOutput.contains("limits.memory: applied"));
        assertEquals("memory limit after the live change", 48 * MIB, memoryLimit("resized"));

        String shmOutput = executeCommand("vserver:limit resized limits.shm=8M");

        assertTrue("output of the /dev/shm change: " + shmOutput, shmOutput.contains("limits.shm: needs restart"));
        assertEquals("size of /dev/shm before the restart, from the memory limit at start", 64 * MIB,
                tmpfsSize("resized", "/dev/shm"));
        assertEquals("memory limit after the /dev/shm change", 48 * MIB, memoryLimit("resized"));

        guests().restart("resized");
        awaitState("resized", GuestState.RUNNING);

        assertEquals("size of /dev/shm after the restart", 8 * MIB, tmpfsSize("resized", "/dev/shm"));
        assertEquals("memory limit after the restart", 48 * MIB, memoryLimit("resized"));
    }

    @Test
    public void invalidLiveChangeKeepsLimit() throws Exception {
        createCommandGuest("steady", IDLE_INIT, "limits.memory=64M");
        startGuest("steady");
        awaitCommand("vserver", "limit");

        String message;
        try {
            String output = executeCommand("vserver:limit steady limits.memory=lots");
            throw new IllegalStateException("'vserver:limit steady limits.memory=lots' succeeded:\n" + output);
        } catch (AssertionError e) {
            message = e.getMessage();
        }

        assertTrue("message names the key: " + message, message.contains("limits.memory"));
        assertTrue("message names the value: " + message, message.contains("lots"));
        assertTrue("message gives the accepted form: " + message, message.contains("K, M, G or T"));
        assertEquals("memory limit after the rejected change", 64 * MIB, memoryLimit("steady"));
    }

    /**
     * Returns the line of the guest's /proc/mounts for {@code target} without its source
     * field, such as {@code tmpfs rw,nosuid,nodev,size=16384k,mode=1777 0 0}, or an empty
     * string when nothing is mounted there.
     */
    private String mountOf(String name, String target) throws Exception {
        String found = "";
        for (String line : execOk(name, "cat", "/proc/mounts").split("\n")) {
            String[] fields = line.split(" ", 3);
            if (fields.length == 3 && fields[1].equals(target)) {
                found = fields[2];
            }
        }
        return found;
    }

    /** Returns the size in bytes of the tmpfs that the guest has mounted on {@code target}. */
    private long tmpfsSize(String name, String target) throws Exception {
        String mount = mountOf(name, target);
        assertTrue(target + " in " + name + " is a tmpfs: '" + mount + "'", mount.startsWith("tmpfs "));
        Matcher size = SIZE_OPTION.matcher(mount.split(" ")[1]);
        assertTrue(target + " in " + name + " has a size option: " + mount, size.find());
        return Long.parseLong(size.group(1)) * 1024;
    }

    /** Returns the pid of the reaper's only child, the guest's init. */
    private static int initChild(int reaper) throws IOException {
        String children = Files.readString(Path.of("/proc", Integer.toString(reaper), "task",
                Integer.toString(reaper), "children")).trim();
        assertTrue("reaper " + reaper + " has one child: '" + children + "'",
                !children.isEmpty() && !children.contains(" "));
        return Integer.parseInt(children);
    }

    /** Returns the memory limit of the guest's cgroup: {@code memory.limit_in_bytes} on v1, {@code memory.max} on v2. */
    private long memoryLimit(String name) throws SyscallException {
        CgroupHierarchy memory = hierarchy("memory");
        String file = memory.version() == CgroupVersion.V1 ? "memory.limit_in_bytes" : "memory.max";
        return Long.parseLong(readCgroupFile(name, memory, file).trim());
    }

    /** Returns the bytes of tmpfs and shared memory charged to the guest: {@code shmem} of {@code memory.stat}. */
    private long shmemBytes(String name) throws SyscallException {
        return statValue(name, hierarchy("memory"), "memory.stat", "shmem");
    }

    /** Checks the guest's CPU quota: {@code cpu.cfs_quota_us} and {@code cpu.cfs_period_us} on v1, {@code cpu.max} on v2. */
    private void assertCpuQuota(String name, long quotaMicros, long periodMicros) throws SyscallException {
        CgroupHierarchy cpu = hierarchy("cpu");
        if (cpu.version() == CgroupVersion.V1) {
            assertEquals("cpu.cfs_quota_us", Long.toString(quotaMicros),
                    readCgroupFile(name, cpu, "cpu.cfs_quota_us").trim());
            assertEquals("cpu.cfs_period_us", Long.toString(periodMicros),
                    readCgroupFile(name, cpu, "cpu.cfs_period_us").trim());
        } else {
            assertEquals("cpu.max", quotaMicros + " " + periodMicros, readCgroupFile(name, cpu, "cpu.max").trim());
        }
    }

    /**
     * Returns the CPU time the guest's processes used, in nanoseconds: {@code cpuacct.usage}
     * where a v1 cpuacct hierarchy exists, else {@code usage_usec} of v2's {@code cpu.stat}.
     */
    private long cpuUsageNanos(String name) throws SyscallException {
        CgroupHierarchies hierarchies = CgroupHierarchies.discover();
        CgroupHierarchy cpuacct = hierarchies.forController("cpuacct").orElse(null);
        if (cpuacct != null && cpuacct.version() == CgroupVersion.V1) {
            return Long.parseLong(readCgroupFile(name, cpuacct, "cpuacct.usage").trim());
        }
        return statValue(name, hierarchy("cpu"), "cpu.stat", "usage_usec") * 1000;
    }

    /** Returns the value of {@code key} in the guest's {@code cpu.stat}, such as {@code nr_throttled}. */
    private long cpuStat(String name, String key) throws SyscallException {
        return statValue(name, hierarchy("cpu"), "cpu.stat", key);
    }

    /** Returns the number after {@code key} in a cgroup file of {@code KEY VALUE} lines. */
    private long statValue(String name, CgroupHierarchy hierarchy, String file, String key) throws SyscallException {
        String text = readCgroupFile(name, hierarchy, file);
        for (String line : text.split("\n")) {
            if (line.startsWith(key + " ")) {
                return Long.parseLong(line.substring(key.length() + 1).trim());
            }
        }
        throw new AssertionError("no " + key + " line in " + file + " of " + name + ":\n" + text);
    }

    private String readCgroupFile(String name, CgroupHierarchy hierarchy, String file) throws SyscallException {
        return CgroupHierarchies.discover().group(cgroupParent + "/" + name).read(hierarchy, file);
    }

    private static CgroupHierarchy hierarchy(String controller) throws SyscallException {
        return CgroupHierarchies.discover().forController(controller)
                .orElseThrow(() -> new AssertionError("no cgroup hierarchy has the " + controller + " controller"));
    }
}
