package io.vserver.limits.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.Before;
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

/** Validation, and limits written into cgroup trees laid out in a temporary directory. */
public class LimitsElementTest {

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private Path unifiedGroup;
    private LimitsElement unified;

    private static final GuestRecord RECORD = new GuestRecord("web1", 42, Path.of("/nonexistent/data"),
            Path.of("/nonexistent/run"), "vserver/web1");

    @Before
    public void layOutUnifiedTree() throws IOException {
        Path root = folder.newFolder("unified").toPath();
        Path mountinfo = Files.writeString(root.resolve("mountinfo"),
                "25 1 0:23 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n");
        Path cgroupRoot = Files.createDirectories(root.resolve("sys/fs/cgroup"));
        Files.writeString(cgroupRoot.resolve("cgroup.controllers"), "cpu io memory pids\n");
        unifiedGroup = Files.createDirectories(cgroupRoot.resolve("vserver/web1"));
        Files.writeString(unifiedGroup.resolve("memory.max"), "max\n");
        Files.writeString(unifiedGroup.resolve("pids.max"), "max\n");
        Files.writeString(unifiedGroup.resolve("cpu.max"), "max 100000\n");
        unified = new LimitsElement(() -> CgroupHierarchies.discover(mountinfo, root));
    }

    private static GuestSpec spec(Map<String, String> settings) {
        return new GuestSpec("web1", 42, List.of(), settings, Map.of());
    }

    private InvalidConfigurationException rejected(String key, String value) {
        return assertThrows(InvalidConfigurationException.class,
                () -> unified.validate(spec(Map.of(key, value))));
    }

    private void assertRejected(String key, String value, String acceptedForm) {
        InvalidConfigurationException e = rejected(key, value);
        assertEquals(value, key, e.key());
        assertEquals(key, value, e.value());
        assertEquals(key + "=" + value, acceptedForm, e.acceptedForm());
    }

    private String unifiedFile(String name) throws IOException {
        return Files.readString(unifiedGroup.resolve(name)).trim();
    }

    @Test
    public void requiredByEveryGuest() {
        assertTrue(unified.isRequiredBy(spec(Map.of())));
        assertTrue(unified.isRequiredBy(spec(Map.of("limits.rlimit.nofile", "1024"))));
    }

    @Test
    public void validateAcceptsGoodValues() throws Exception {
        unified.validate(spec(Map.of("limits.memory", "512M", "limits.pids", "100", "limits.cpu", "0.5")));
        unified.validate(spec(Map.of("limits.memory", "1g", "limits.cpu", "2")));
        unified.validate(spec(Map.of("limits.memory", "4096", "limits.cpu", "0.01")));
        unified.validate(spec(Map.of("limits.rlimit.nofile", "1024:4096", "limits.rlimit.core", "0",
                "limits.rlimit.as", "unlimited", "limits.rlimit.stack", "8388608:unlimited")));
        unified.validate(spec(Map.of("limits.shm", "64M", "limits.tmp", "1g")));
    }

    @Test
    public void validateRejectsBadMemory() {
        for (String value : List.of("", "lots", "-1", "0", "0M", "1.5G", "512MB", "16777216T", "99999999999999999999")) {
            assertRejected("limits.memory", value, LimitSettings.MEMORY_FORM);
        }
    }

    @Test
    public void validateRejectsBadTmpfsSizes() {
        for (String key : List.of("limits.shm", "limits.tmp")) {
            for (String value : List.of("", "lots", "-1", "0", "1.5G", "64MB")) {
                assertRejected(key, value, LimitSettings.MEMORY_FORM);
            }
        }
    }

    @Test
    public void validateRejectsBadPids() {
        for (String value : List.of("", "0", "-5", "1.5", "many")) {
            assertRejected("limits.pids", value, LimitSettings.PIDS_FORM);
        }
    }

    @Test
    public void validateRejectsBadCpu() {
        for (String value : List.of("", "0", "-1", "0.001", "0.0000001", "half", "1e400")) {
            assertRejected("limits.cpu", value, LimitSettings.CPU_FORM);
        }
    }

    @Test
    public void validateRejectsBadRlimits() {
        for (String value : List.of("", "many", "-1", "10:5", "unlimited:10", "1:2:3", "1:")) {
            assertRejected("limits.rlimit.nofile", value, LimitSettings.RLIMIT_FORM);
        }
    }

    @Test
    public void validateRejectsUnknownKeys() {
        for (String key : List.of("limits.rlimit.files", "limits.rlimit.NOFILE", "limits.rlimit.RLIMIT_NOFILE",
                "limits.memroy")) {
            InvalidConfigurationException e = rejected(key, "1");
            assertEquals(key, e.key());
            assertNull(e.value());
            assertTrue(e.acceptedForm(), e.acceptedForm().contains("nofile"));
        }
        String form = rejected("limits.memroy", "1").acceptedForm();
        assertTrue(form, form.contains("limits.shm"));
        assertTrue(form, form.contains("limits.tmp"));
    }

    @Test
    public void memorySuffixesArePowersOf1024() throws Exception {
        assertEquals(512L << 20, LimitSettings.parseMemory("test", "512M"));
        assertEquals(1L << 10, LimitSettings.parseMemory("test", "1k"));
        assertEquals(3L << 30, LimitSettings.parseMemory("test", "3G"));
        assertEquals(2L << 40, LimitSettings.parseMemory("test", "2T"));
        assertEquals(12345, LimitSettings.parseMemory("test", "12345"));
    }

    @Test
    public void cpuBecomesQuotaPerPeriod() throws Exception {
        assertEquals(50_000, LimitSettings.parseCpu("test", "0.5"));
        assertEquals(200_000, LimitSettings.parseCpu("test", "2"));
        assertEquals(1_000, LimitSettings.parseCpu("test", "0.01"));
        assertEquals(1_234, LimitSettings.parseCpu("test", "0.0123456"));
    }

    @Test
    public void prepareFillsRlimits() throws Exception {
        LaunchPlan plan = new LaunchPlan();
        unified.prepare(spec(Map.of("limits.rlimit.nofile", "1024:4096", "limits.rlimit.core", "unlimited",
                "limits.rlimit.stack", "8388608:unlimited")), RECORD, plan);
        assertEquals(3, plan.rlimits().size());
        assertTrue(plan.rlimits().contains(new LaunchPlan.Rlimit("nofile", 1024, 4096)));
        assertTrue(plan.rlimits().contains(new LaunchPlan.Rlimit("core", -1, -1)));
        assertTrue(plan.rlimits().contains(new LaunchPlan.Rlimit("stack", 8388608, -1)));
    }

    @Test
    public void prepareSizesShmToMemoryLimit() throws Exception {
        LaunchPlan plan = new LaunchPlan();
        unified.prepare(spec(Map.of("limits.memory", "64M")), RECORD, plan);

        assertEquals(64L << 20, plan.shmSizeBytes());
        assertEquals(List.of(), plan.tmpfsMounts());
    }

    @Test
    public void prepareSizesShmAndTmp() throws Exception {
        LaunchPlan plan = new LaunchPlan();
        unified.prepare(spec(Map.of("limits.memory", "64M", "limits.shm", "16M", "limits.tmp", "8M")), RECORD,
                plan);

        assertEquals(16L << 20, plan.shmSizeBytes());
        assertEquals(List.of(new LaunchPlan.Tmpfs("/tmp", 8L << 20)), plan.tmpfsMounts());
    }

    @Test
    public void prepareSizesShmWithoutMemoryLimit() throws Exception {
        LaunchPlan plan = new LaunchPlan();
        unified.prepare(spec(Map.of("limits.shm", "1G")), RECORD, plan);

        assertEquals(1L << 30, plan.shmSizeBytes());
        assertEquals("max", unifiedFile("memory.max"));
    }

    @Test
    public void prepareLeavesShmDefaultWithoutLimits() throws Exception {
        LaunchPlan plan = new LaunchPlan();
        unified.prepare(spec(Map.of("limits.pids", "7")), RECORD, plan);

        assertEquals(0, plan.shmSizeBytes());
        assertEquals(List.of(), plan.tmpfsMounts());
    }

    @Test
    public void prepareWritesUnifiedLimits() throws Exception {
        unified.prepare(spec(Map.of("limits.memory", "512M", "limits.pids", "100", "limits.cpu", "1.5")), RECORD,
                new LaunchPlan());
        assertEquals(Long.toString(512L << 20), unifiedFile("memory.max"));
        assertEquals("100", unifiedFile("pids.max"));
        assertEquals("150000 100000", unifiedFile("cpu.max"));
    }

    @Test
    public void prepareLeavesUnsetLimits() throws Exception {
        unified.prepare(spec(Map.of("limits.pids", "7")), RECORD, new LaunchPlan());
        assertEquals("max", unifiedFile("memory.max"));
        assertEquals("7", unifiedFile("pids.max"));
        assertEquals("max 100000", unifiedFile("cpu.max"));
    }

    @Test
    public void prepareWritesLegacyLimits() throws Exception {
        Path root = folder.newFolder("legacy").toPath();
        Path mountinfo = Files.writeString(root.resolve("mountinfo"),
                "30 25 0:26 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
                + "31 25 0:27 / /sys/fs/cgroup/pids rw - cgroup cgroup rw,pids\n"
                + "32 25 0:28 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct\n");
        Path memory = Files.createDirectories(root.resolve("sys/fs/cgroup/memory/vserver/web1"));
        Path pids = Files.createDirectories(root.resolve("sys/fs/cgroup/pids/vserver/web1"));
        Path cpu = Files.createDirectories(root.resolve("sys/fs/cgroup/cpu,cpuacct/vserver/web1"));
        Files.writeString(memory.resolve("memory.limit_in_bytes"), "9223372036854771712\n");
        Files.writeString(pids.resolve("pids.max"), "max\n");
        Files.writeString(cpu.resolve("cpu.cfs_quota_us"), "-1\n");
        Files.writeString(cpu.resolve("cpu.cfs_period_us"), "100000\n");
        LimitsElement legacy = new LimitsElement(() -> CgroupHierarchies.discover(mountinfo, root));

        legacy.prepare(spec(Map.of("limits.memory", "64M", "limits.pids", "50", "limits.cpu", "0.25")), RECORD,
                new LaunchPlan());

        assertEquals(Long.toString(64L << 20), Files.readString(memory.resolve("memory.limit_in_bytes")).trim());
        assertEquals("50", Files.readString(pids.resolve("pids.max")).trim());
        assertEquals("25000", Files.readString(cpu.resolve("cpu.cfs_quota_us")).trim());
        assertEquals("100000", Files.readString(cpu.resolve("cpu.cfs_period_us")).trim());
    }

    @Test
    public void prepareReportsMissingGroup() {
        GuestRecord other = new GuestRecord("db", 43, Path.of("/nonexistent/data"), Path.of("/nonexistent/run"),
                "vserver/db");
        VServerException e = assertThrows(VServerException.class,
                () -> unified.prepare(spec(Map.of("limits.pids", "7")), other, new LaunchPlan()));
        assertTrue(e.getMessage(), e.getMessage().startsWith("guest web1 (xid 42): failed to set limits.pids to '7'"));
    }

    @Test
    public void updateAppliesLiveLimits() throws Exception {
        GuestSpec old = spec(Map.of("limits.memory", "512M", "limits.pids", "100", "limits.rlimit.nofile", "1024"));
        unified.prepare(old, RECORD, new LaunchPlan());
        RunningGuest guest = new RunningGuest(RECORD, old, 4242, 1);

        Map<String, UpdateOutcome> outcomes = unified.update(guest, spec(Map.of("limits.memory", "1G",
                "limits.cpu", "2", "limits.rlimit.nofile", "2048", "limits.rlimit.core", "0")));

        assertEquals(UpdateOutcome.APPLIED, outcomes.get("limits.memory"));
        assertEquals(UpdateOutcome.APPLIED, outcomes.get("limits.pids"));
        assertEquals(UpdateOutcome.APPLIED, outcomes.get("limits.cpu"));
        assertEquals(UpdateOutcome.NEEDS_RESTART, outcomes.get("limits.rlimit.nofile"));
        assertEquals(UpdateOutcome.NEEDS_RESTART, outcomes.get("limits.rlimit.core"));
        assertEquals(5, outcomes.size());
        assertEquals(Long.toString(1L << 30), unifiedFile("memory.max"));
        assertEquals("max", unifiedFile("pids.max"));
        assertEquals("200000 100000", unifiedFile("cpu.max"));
    }

    @Test
    public void updateReportsTmpfsSizesNeedRestart() throws Exception {
        GuestSpec old = spec(Map.of("limits.memory", "512M", "limits.shm", "64M"));
        unified.prepare(old, RECORD, new LaunchPlan());
        RunningGuest guest = new RunningGuest(RECORD, old, 4242, 1);

        Map<String, UpdateOutcome> outcomes = unified.update(guest, spec(Map.of("limits.memory", "512M",
                "limits.shm", "128M", "limits.tmp", "32M")));

        assertEquals(Map.of("limits.shm", UpdateOutcome.NEEDS_RESTART, "limits.tmp", UpdateOutcome.NEEDS_RESTART),
                outcomes);
        assertEquals(Long.toString(512L << 20), unifiedFile("memory.max"));
    }

    @Test
    public void updateRollsBackOnFailure() throws Exception {
        GuestSpec old = spec(Map.of("limits.memory", "512M", "limits.pids", "100"));
        unified.prepare(old, RECORD, new LaunchPlan());
        Files.delete(unifiedGroup.resolve("pids.max"));
        RunningGuest guest = new RunningGuest(RECORD, old, 4242, 1);

        VServerException e = assertThrows(VServerException.class,
                () -> unified.update(guest, spec(Map.of("limits.memory", "1G", "limits.pids", "200"))));

        assertTrue(e.getMessage(), e.getMessage().contains("limits.pids"));
        assertTrue(e.getMessage(), e.getMessage().contains("Set [limits.memory] back"));
        assertEquals(Long.toString(512L << 20), unifiedFile("memory.max"));
    }

    @Test
    public void updateIgnoresOtherKeys() throws Exception {
        GuestSpec old = spec(Map.of("hostname", "a"));
        RunningGuest guest = new RunningGuest(RECORD, old, 4242, 1);
        assertEquals(Map.of(), unified.update(guest, spec(Map.of("hostname", "b"))));
    }
}
