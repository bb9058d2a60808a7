package io.vserver.limits.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.vserver.api.GuestRecord;
import io.vserver.api.GuestSpec;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.LaunchPlan;
import io.vserver.api.RunningGuest;
import io.vserver.api.UpdateOutcome;
import io.vserver.api.VServerException;
import io.vserver.kmod.cgroup.CgroupHierarchies;

/** Swap, CPU weight and I/O bandwidth limits: validation, and the files written in v1 and v2 trees. */
public class ControllerLimitsTest {

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private static final GuestRecord RECORD = new GuestRecord("web1", 42, Path.of("/nonexistent/data"),
            Path.of("/nonexistent/run"), "vserver/web1");

    private static GuestSpec spec(Map<String, String> settings) {
        return new GuestSpec("web1", 42, List.of(), settings, Map.of());
    }

    /** Lays out a v2 tree whose root offers {@code controllers} and returns the guest's group directory. */
    private Path unifiedTree(String controllers, String... files) throws IOException {
        Path root = folder.newFolder().toPath();
        Files.writeString(root.resolve("mountinfo"),
                "25 1 0:23 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n");
        Path cgroupRoot = Files.createDirectories(root.resolve("sys/fs/cgroup"));
        Files.writeString(cgroupRoot.resolve("cgroup.controllers"), controllers + "\n");
        Path group = Files.createDirectories(cgroupRoot.resolve("vserver/web1"));
        for (String file : files) {
            Files.writeString(group.resolve(file), "\n");
        }
        return group;
    }

    /** Lays out v1 memory, cpu and blkio hierarchies and returns the tree's root. */
    private Path legacyTree(boolean swapAccounting) throws IOException {
        Path root = folder.newFolder().toPath();
        Files.writeString(root.resolve("mountinfo"),
                "30 25 0:26 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
                + "32 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n"
                + "33 25 0:29 / /sys/fs/cgroup/blkio rw - cgroup cgroup rw,blkio\n");
        Path memory = Files.createDirectories(root.resolve("sys/fs/cgroup/memory/vserver/web1"));
        Files.writeString(memory.resolve("memory.limit_in_bytes"), "9223372036854771712\n");
        if (swapAccounting) {
            Files.writeString(memory.resolve("memory.memsw.limit_in_bytes"), "9223372036854771712\n");
        }
        Path cpu = Files.createDirectories(root.resolve("sys/fs/cgroup/cpu,cpuacct/vserver/web1"));
        Files.writeString(cpu.resolve("cpu.shares"), "1024\n");
        Path blkio = Files.createDirectories(root.resolve("sys/fs/cgroup/blkio/vserver/web1"));
        Files.writeString(blkio.resolve("blkio.throttle.read_bps_device"), "\n");
        Files.writeString(blkio.resolve("blkio.throttle.write_bps_device"), "\n");
        return root;
    }

    private static LimitsElement element(Path root) {
        return new LimitsElement(() -> CgroupHierarchies.discover(root.resolve("mountinfo"), root));
    }

    /** Returns the tree root of a group directory that {@link #unifiedTree} laid out. */
    private static Path rootOf(Path group) {
        return group.getParent().getParent().getParent().getParent().getParent();
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file).trim();
    }

    private static void assertRejected(String key, String value, String acceptedForm) {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> LimitSettings.of(spec(Map.of(key, value))));
        assertEquals(value, key, e.key());
        assertEquals(key, value, e.value());
        assertEquals(key + "=" + value, acceptedForm, e.acceptedForm());
    }

    @Test
    public void validateAcceptsGoodValues() throws Exception {
        LimitSettings settings = LimitSettings.of(spec(Map.of("limits.memory.swap", "1G", "limits.cpu.weight", "250",
                "limits.io.read", "8:0=1048576, 8:16=2048", "limits.io.write", "253:0=4096")));
        assertEquals(Long.valueOf(1L << 30), settings.swapBytes());
        assertEquals(Long.valueOf(250), settings.cpuWeight());
        assertEquals(Map.of("8:0", 1048576L, "8:16", 2048L), settings.ioRead());
        assertEquals(Map.of("253:0", 4096L), settings.ioWrite());
        LimitSettings.of(spec(Map.of("limits.cpu.weight", "1")));
        LimitSettings.of(spec(Map.of("limits.cpu.weight", "10000")));
    }

    @Test
    public void validateRejectsBadValues() {
        for (String value : List.of("", "0", "-1M", "1.5G", "lots")) {
            assertRejected("limits.memory.swap", value, LimitSettings.SWAP_FORM);
        }
        for (String value : List.of("", "0", "10001", "-5", "1.5", "heavy")) {
            assertRejected("limits.cpu.weight", value, LimitSettings.CPU_WEIGHT_FORM);
        }
        for (String value : List.of("", "8:0", "8=100", "8:0=0", "8:0=-1", "8:0=1M", "8:0=1,", "8:0=1,8:0=2",
                "a:b=1", "8:0=1;8:16=2", "99999999999:0=1")) {
            assertRejected("limits.io.read", value, LimitSettings.IO_FORM);
            assertRejected("limits.io.write", value, LimitSettings.IO_FORM);
        }
    }

    @Test
    public void prepareWritesUnifiedFiles() throws Exception {
        Path group = unifiedTree("cpu io memory", "memory.swap.max", "cpu.weight", "io.max");
        element(rootOf(group)).prepare(spec(Map.of("limits.memory.swap", "256M", "limits.cpu.weight", "300",
                "limits.io.read", "8:0=1048576")), RECORD, new LaunchPlan());
        assertEquals(Long.toString(256L << 20), read(group.resolve("memory.swap.max")));
        assertEquals("300", read(group.resolve("cpu.weight")));
        assertEquals("8:0 rbps=1048576", read(group.resolve("io.max")));

        element(rootOf(group)).prepare(spec(Map.of("limits.io.write", "253:1=4096")), RECORD, new LaunchPlan());
        assertEquals("253:1 wbps=4096", read(group.resolve("io.max")));
    }

    @Test
    public void prepareWritesLegacyFiles() throws Exception {
        Path root = legacyTree(true);
        element(root).prepare(spec(Map.of("limits.memory", "64M", "limits.memory.swap", "128M",
                "limits.cpu.weight", "50", "limits.io.read", "8:0=1000", "limits.io.write", "8:16=2000")),
                RECORD, new LaunchPlan());
        Path cgroups = root.resolve("sys/fs/cgroup");
        assertEquals(Long.toString(64L << 20), read(cgroups.resolve("memory/vserver/web1/memory.limit_in_bytes")));
        assertEquals(Long.toString(128L << 20),
                read(cgroups.resolve("memory/vserver/web1/memory.memsw.limit_in_bytes")));
        assertEquals("512", read(cgroups.resolve("cpu,cpuacct/vserver/web1/cpu.shares")));
        assertEquals("8:0 1000", read(cgroups.resolve("blkio/vserver/web1/blkio.throttle.read_bps_device")));
        assertEquals("8:16 2000", read(cgroups.resolve("blkio/vserver/web1/blkio.throttle.write_bps_device")));
    }

    @Test
    public void cpuWeightMapsToLegacyShares() throws Exception {
        Path root = legacyTree(true);
        Path shares = root.resolve("sys/fs/cgroup/cpu,cpuacct/vserver/web1/cpu.shares");
        for (Map.Entry<String, String> weight : Map.of("1", "10", "100", "1024", "10000", "102400").entrySet()) {
            element(root).prepare(spec(Map.of("limits.cpu.weight", weight.getKey())), RECORD, new LaunchPlan());
            assertEquals(weight.getKey(), weight.getValue(), read(shares));
        }
    }

    @Test
    public void legacySwapNeedsMemoryLimit() throws Exception {
        VServerException e = assertThrows(VServerException.class, () -> element(legacyTree(true))
                .prepare(spec(Map.of("limits.memory.swap", "1G")), RECORD, new LaunchPlan()));
        assertTrue(e.getMessage(), e.getMessage().contains("limits.memory.swap needs limits.memory on cgroup v1"));
    }

    @Test
    public void legacySwapBelowMemoryRejected() throws Exception {
        VServerException e = assertThrows(VServerException.class, () -> element(legacyTree(true))
                .prepare(spec(Map.of("limits.memory", "1G", "limits.memory.swap", "512M")), RECORD, new LaunchPlan()));
        assertTrue(e.getMessage(), e.getMessage().contains("limits.memory.swap is below limits.memory on cgroup v1"));
    }

    @Test
    public void legacySwapNeedsSwapAccounting() throws Exception {
        VServerException e = assertThrows(VServerException.class, () -> element(legacyTree(false))
                .prepare(spec(Map.of("limits.memory", "1G", "limits.memory.swap", "2G")), RECORD, new LaunchPlan()));
        assertTrue(e.getMessage(), e.getMessage().contains("memory.memsw.limit_in_bytes of the memory controller"));
    }

    @Test
    public void missingControllerIsNamed() throws Exception {
        Path group = unifiedTree("memory pids", "memory.max", "pids.max");
        LimitsElement element = element(rootOf(group));
        VServerException io = assertThrows(VServerException.class, () -> element
                .prepare(spec(Map.of("limits.io.read", "8:0=1")), RECORD, new LaunchPlan()));
        assertTrue(io.getMessage(), io.getMessage().contains(
                "limits.io.read needs the blkio (cgroup v1) or io (cgroup v2) cgroup controller"));
        VServerException cpu = assertThrows(VServerException.class, () -> element
                .prepare(spec(Map.of("limits.cpu.weight", "10")), RECORD, new LaunchPlan()));
        assertTrue(cpu.getMessage(), cpu.getMessage().contains("limits.cpu.weight needs the cpu cgroup controller"));
        VServerException swap = assertThrows(VServerException.class, () -> element
                .prepare(spec(Map.of("limits.memory.swap", "1G")), RECORD, new LaunchPlan()));
        assertTrue(swap.getMessage(), swap.getMessage().contains("needs the file memory.swap.max"));
    }

    @Test
    public void updateAppliesAndLiftsDeviceLimits() throws Exception {
        Path group = unifiedTree("cpu io memory", "memory.swap.max", "cpu.weight", "io.max");
        LimitsElement element = element(rootOf(group));
        GuestSpec old = spec(Map.of("limits.io.read", "8:0=100", "limits.cpu.weight", "200",
                "limits.memory.swap", "1G"));
        element.prepare(old, RECORD, new LaunchPlan());

        Map<String, UpdateOutcome> outcomes = element.update(new RunningGuest(RECORD, old, 4242, 1),
                spec(Map.of("limits.io.read", "8:16=200", "limits.cpu.weight", "400")));

        assertEquals(Map.of("limits.io.read", UpdateOutcome.APPLIED, "limits.cpu.weight", UpdateOutcome.APPLIED,
                "limits.memory.swap", UpdateOutcome.APPLIED), outcomes);
        // The last line written lifts the limit of the device the new value no longer names.
        assertEquals("8:0 rbps=max", read(group.resolve("io.max")));
        assertEquals("400", read(group.resolve("cpu.weight")));
        assertEquals("max", read(group.resolve("memory.swap.max")));
    }

    @Test
    public void updateRollsBackOnMissingController() throws Exception {
        Path group = unifiedTree("cpu memory", "cpu.weight");
        LimitsElement element = element(rootOf(group));
        GuestSpec old = spec(Map.of("limits.cpu.weight", "200"));
        element.prepare(old, RECORD, new LaunchPlan());

        VServerException e = assertThrows(VServerException.class, () -> element.update(
                new RunningGuest(RECORD, old, 4242, 1),
                spec(Map.of("limits.cpu.weight", "500", "limits.io.write", "8:0=1"))));

        assertTrue(e.getMessage(), e.getMessage().contains("io (cgroup v2)"));
        assertTrue(e.getMessage(), e.getMessage().contains("Set [limits.cpu.weight] back"));
        assertEquals("200", read(group.resolve("cpu.weight")));
    }
}
