package io.vserver.kmod.cgroup;

import io.vserver.kmod.KernelTestSupport;
import io.vserver.kmod.libc.Errno;
import io.vserver.kmod.libc.Signal;
import io.vserver.kmod.libc.SyscallException;
import io.vserver.kmod.proc.CgroupMembership;
import io.vserver.kmod.proc.ProcFs;
import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/**
 * The driver on the running kernel's cgroups. Needs root; works under a parent group named
 * {@code vserver-test-RANDOM} that it removes again.
 */
public class CgroupKernelTest {

    private static final long MEMORY_MAX = 64L << 20;

    private final List<Process> children = new ArrayList<>();
    private CgroupHierarchies hierarchies;
    private Cgroup parent;
    private Cgroup group;

    @Before
    public void discover() throws Exception {
        KernelTestSupport.assumeRoot();
        hierarchies = CgroupHierarchies.discover();
        String name = "vserver-test-" + UUID.randomUUID().toString().substring(0, 8);
        parent = hierarchies.group(name);
        group = hierarchies.group(name + "/g1");
    }

    @After
    public void cleanUp() throws Exception {
        for (Process child : children) {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
        if (parent != null) {
            parent.remove();
        }
    }

    private Process startSleep() throws IOException {
        Process child = new ProcessBuilder("sleep", "60").start();
        children.add(child);
        return child;
    }

    @Test
    public void lifecycleLeavesNothingBehind() throws Exception {
        group.create();
        for (CgroupHierarchy hierarchy : hierarchies.all()) {
            assertTrue(hierarchy.toString(), Files.isDirectory(group.directory(hierarchy)));
        }

        group.setMemoryMax(MEMORY_MAX);
        group.setPidsMax(32);
        assertEquals(MEMORY_MAX, group.memoryMax());
        assertEquals(32, group.pidsMax());

        Process child = startSleep();
        int pid = (int) child.pid();
        group.attach(pid);
        assertEquals(Set.of(pid), group.pids());
        for (CgroupMembership membership : ProcFs.system().cgroups(pid)) {
            assertEquals(membership.toString(), "/" + group.path(), membership.path());
        }

        group.killAll(Duration.ofSeconds(10));
        assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        assertEquals(128 + Signal.SIGKILL.number(), child.exitValue());
        assertEquals(Set.of(), group.pids());

        parent.remove();
        assertFalse(parent.exists());
        for (CgroupHierarchy hierarchy : hierarchies.all()) {
            assertFalse(hierarchy.toString(), Files.exists(parent.directory(hierarchy)));
        }
    }

    @Test
    public void killAllReachesForkedChildren() throws Exception {
        group.create();
        // The shell forks its two sleeps only after it reads a line, so they start in the group.
        Process shell = new ProcessBuilder("sh", "-c", "read line; sleep 60 & sleep 60 & wait")
                .start();
        children.add(shell);
        group.attach((int) shell.pid());
        try (OutputStream input = shell.getOutputStream()) {
            input.write("go\n".getBytes());
        }
        waitForPidCount(3, Duration.ofSeconds(10));

        group.killAll(Duration.ofSeconds(10));

        assertEquals(Set.of(), group.pids());
        assertTrue(shell.waitFor(10, TimeUnit.SECONDS));
    }

    @Test
    public void killAllWithoutCgroupKillFreezesAndSignals() throws Exception {
        // Only the v1 hierarchies of this host, as on a kernel without cgroup.kill.
        Path legacyOnly = Files.createTempFile("mountinfo", ".txt");
        try {
            List<String> lines = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                if (line.contains(" - cgroup ")) {
                    lines.add(line);
                }
            }
            Files.write(legacyOnly, lines);
            CgroupHierarchies legacy = CgroupHierarchies.discover(legacyOnly, Path.of("/"));
            Assume.assumeTrue("Skipped: this host has no cgroup v1 freezer",
                    legacy.forController("freezer").isPresent());
            Cgroup legacyGroup = legacy.group(group.path());
            legacyGroup.create();
            Process child = startSleep();
            legacyGroup.attach((int) child.pid());

            legacyGroup.killAll(Duration.ofSeconds(10));

            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            assertEquals(128 + Signal.SIGKILL.number(), child.exitValue());
            assertEquals("THAWED", legacyGroup.read("freezer.state"));
            legacyGroup.remove();
        } finally {
            Files.delete(legacyOnly);
        }
    }

    private void waitForPidCount(int count, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (group.pids().size() < count) {
            assertTrue("group has " + group.pids() + ", expected " + count + " processes",
                    System.nanoTime() < deadline);
            Thread.sleep(10);
        }
    }

    @Test
    public void limitsMapToHierarchyFiles() throws Exception {
        group.create();
        group.setMemoryMax(MEMORY_MAX);
        group.setCpuMax(50_000, 100_000);

        CgroupHierarchy memory = hierarchies.forController("memory").orElseThrow();
        String file = memory.version() == CgroupVersion.V1 ? "memory.limit_in_bytes" : "memory.max";
        assertEquals(Long.toString(MEMORY_MAX), group.read(file));
        assertEquals(new CpuMax(50_000, 100_000), group.cpuMax());

        group.setMemoryMax(Cgroup.UNLIMITED);
        group.setPidsMax(Cgroup.UNLIMITED);
        group.setCpuMax(Cgroup.UNLIMITED, 100_000);
        assertEquals(Cgroup.UNLIMITED, group.memoryMax());
        assertEquals(Cgroup.UNLIMITED, group.pidsMax());
        assertEquals(new CpuMax(Cgroup.UNLIMITED, 100_000), group.cpuMax());
    }

    @Test
    public void invalidValueNamesFileValueAndErrno() throws Exception {
        group.create();
        CgroupHierarchy memory = hierarchies.forController("memory").orElseThrow();
        String file = memory.version() == CgroupVersion.V1 ? "memory.limit_in_bytes" : "memory.max";

        SyscallException e = assertThrows(SyscallException.class, () -> group.set(file, "lots"));

        assertEquals(Errno.EINVAL, e.errno());
        assertEquals("write " + group.directory(memory).resolve(file)
                + " \"lots\": Invalid argument (EINVAL)", e.getMessage());
    }

    @Test
    public void cgroupIdIsUnifiedInode() throws Exception {
        CgroupHierarchy unified = hierarchies.unified().orElseThrow();
        group.create();
        Cgroup sibling = hierarchies.group(parent.path() + "/g2");
        sibling.create();

        Path directory = group.directory(unified);
        assertEquals(Files.getAttribute(directory, "unix:ino"), group.cgroupId());
        assertTrue(group.cgroupId() > 0);
        assertNotEquals(group.cgroupId(), sibling.cgroupId());
    }

    @Test
    public void removeOfAbsentGroupIsNoError() throws Exception {
        assertFalse(group.exists());
        group.remove();
        assertFalse(parent.exists());
    }

    @Test
    public void removeOfBusyGroupNamesDirectory() throws Exception {
        group.create();
        int pid = (int) startSleep().pid();
        group.attach(pid);

        SyscallException e = assertThrows(SyscallException.class, () -> group.remove());

        assertEquals(Errno.EBUSY, e.errno());
        assertTrue(e.getMessage(), e.getMessage().startsWith("rmdir "));
        group.killAll(Duration.ofSeconds(10));
        group.remove();
        assertFalse(group.exists());
    }
}
