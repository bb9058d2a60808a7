package io.vserver.kmod.cgroup;

import io.vserver.kmod.libc.Errno;
import io.vserver.kmod.libc.SyscallException;
import io.vserver.kmod.libc.Syscalls;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** The driver on a pure cgroup v2 host, laid out in a temporary directory. */
public class CgroupUnifiedTreeTest {

    /** A pid above the kernel's maximum (2^22), so no process can have it. */
    private static final int IMPOSSIBLE_PID = 2_147_483_000;

    @Rule
    public TemporaryFolder temporary = new TemporaryFolder();

    private Path cgroupRoot;
    private CgroupHierarchies hierarchies;
    private Cgroup group;

    @Before
    public void layOutUnifiedTree() throws Exception {
        Path root = temporary.getRoot().toPath();
        Path mountinfo = root.resolve("mountinfo");
        Files.writeString(mountinfo, "25 1 0:23 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 "
                + "rw,nsdelegate\n");
        cgroupRoot = Files.createDirectories(root.resolve("sys/fs/cgroup"));
        Files.writeString(cgroupRoot.resolve("cgroup.controllers"),
                "cpuset cpu io memory hugetlb pids\n");
        // The root carries the interface files that TmpfsCgroupFiles gives each new child,
        // as cgroupfs would from the enabled controllers.
        for (String file : new String[] {"cgroup.subtree_control", "cgroup.procs", "cgroup.kill",
                "cgroup.freeze", "cgroup.events", "memory.max", "pids.max", "cpu.max"}) {
            Files.writeString(cgroupRoot.resolve(file), "");
        }
        hierarchies = CgroupHierarchies.discover(mountinfo, root, new TmpfsCgroupFiles());
        group = hierarchies.group("vserver/web1");
    }

    private String content(String relativePath) throws Exception {
        return Files.readString(cgroupRoot.resolve(relativePath));
    }

    @Test
    public void createEnablesControllersInEveryParent() throws Exception {
        assertFalse(group.exists());

        group.create();

        assertTrue(group.exists());
        assertTrue(Files.isDirectory(cgroupRoot.resolve("vserver/web1")));
        assertEquals("+cpu +io +memory +pids", content("cgroup.subtree_control"));
        assertEquals("+cpu +io +memory +pids", content("vserver/cgroup.subtree_control"));
        assertEquals("", content("vserver/web1/cgroup.subtree_control"));
    }

    @Test
    public void createSkipsControllersAlreadyEnabled() throws Exception {
        Files.writeString(cgroupRoot.resolve("cgroup.subtree_control"), "cpu io memory pids\n");

        group.create();
        group.create();

        assertEquals("cpu io memory pids\n", content("cgroup.subtree_control"));
    }

    @Test
    public void typedLimitsWriteV2Files() throws Exception {
        group.create();

        group.setMemoryMax(64L << 20);
        assertEquals("67108864", content("vserver/web1/memory.max"));
        assertEquals(64L << 20, group.memoryMax());
        group.setMemoryMax(Cgroup.UNLIMITED);
        assertEquals("max", content("vserver/web1/memory.max"));
        assertEquals(Cgroup.UNLIMITED, group.memoryMax());

        group.setPidsMax(100);
        assertEquals("100", content("vserver/web1/pids.max"));
        assertEquals(100, group.pidsMax());

        group.setCpuMax(50_000, 100_000);
        assertEquals("50000 100000", content("vserver/web1/cpu.max"));
        assertEquals(new CpuMax(50_000, 100_000), group.cpuMax());
        group.setCpuMax(Cgroup.UNLIMITED, 100_000);
        assertEquals("max 100000", content("vserver/web1/cpu.max"));
    }

    @Test
    public void typedLimitsRejectNegativeValues() throws Exception {
        group.create();
        assertThrows(IllegalArgumentException.class, () -> group.setMemoryMax(-5));
        assertThrows(IllegalArgumentException.class, () -> group.setCpuMax(0, 100_000));
        assertThrows(IllegalArgumentException.class, () -> group.setCpuMax(1000, 0));
    }

    @Test
    public void rawSetAndRead() throws Exception {
        group.create();

        group.set("memory.max", "1G");

        assertEquals("1G", group.read("memory.max"));
        assertEquals(CgroupVersion.V2, group.hierarchyOf("memory.max").version());
    }

    @Test
    public void writeErrorNamesFileAndValue() throws Exception {
        group.create();

        SyscallException e = assertThrows(SyscallException.class,
                () -> group.set("memory.high", "1G"));

        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("write " + cgroupRoot.resolve("vserver/web1/memory.high")
                + " \"1G\": No such file or directory (ENOENT)", e.getMessage());
    }

    @Test
    public void fileOfUnmountedControllerIsRejected() {
        CgroupException e = assertThrows(CgroupException.class,
                () -> group.set("rdma.max", "mlx4_0 hca_handle=2"));
        assertEquals("No mounted cgroup hierarchy has the controller \"rdma\" of file rdma.max "
                + "in cgroup vserver/web1; mounted: cgroup2 (v2)", e.getMessage());
    }

    @Test
    public void attachAndPidsIncludeChildGroups() throws Exception {
        group.create();
        Cgroup child = hierarchies.group("vserver/web1/sub");
        child.create();

        group.attach(4242);
        Files.writeString(cgroupRoot.resolve("vserver/web1/sub/cgroup.procs"), "4343\n4344\n");

        assertEquals("4242", content("vserver/web1/cgroup.procs"));
        assertEquals(Set.of(4242, 4343, 4344), group.pids());
        assertEquals(Set.of(4343, 4344), child.pids());
    }

    @Test
    public void cgroupIdIsDirectoryInode() throws Exception {
        group.create();

        long inode = (Long) Files.getAttribute(cgroupRoot.resolve("vserver/web1"), "unix:ino");
        assertEquals(inode, group.cgroupId());
    }

    @Test
    public void removeDeletesChildGroupsAndIsIdempotent() throws Exception {
        group.create();
        hierarchies.group("vserver/web1/sub/deeper").create();

        group.remove();

        assertFalse(group.exists());
        assertTrue(Files.isDirectory(cgroupRoot.resolve("vserver")));
        group.remove();
        hierarchies.group("never/created").remove();
    }

    @Test
    public void killAllOfEmptyGroupReturnsAtOnce() throws Exception {
        group.create();

        group.killAll(Duration.ofSeconds(5));

        assertEquals("", content("vserver/web1/cgroup.kill"));
    }

    @Test
    public void killAllTimesOutNamingRemainingPids() throws Exception {
        group.create();
        Files.writeString(cgroupRoot.resolve("vserver/web1/cgroup.procs"), IMPOSSIBLE_PID + "\n");

        CgroupException e = assertThrows(CgroupException.class,
                () -> group.killAll(Duration.ofMillis(200)));

        assertTrue(e.getMessage(), e.getMessage().startsWith("Processes [" + IMPOSSIBLE_PID
                + "] remain in cgroup vserver/web1 200 ms after killing them"));
        assertEquals("1", content("vserver/web1/cgroup.kill"));
        assertEquals("0", content("vserver/web1/cgroup.freeze"));
    }

    @Test
    public void killAllRefusesGroupWithThisJvm() throws Exception {
        group.create();
        Files.writeString(cgroupRoot.resolve("vserver/web1/cgroup.procs"),
                Syscalls.getpid() + "\n");

        CgroupException e = assertThrows(CgroupException.class,
                () -> group.killAll(Duration.ofSeconds(1)));

        assertEquals("Cannot kill the processes of cgroup vserver/web1: it contains this JVM "
                + "(pid " + Syscalls.getpid() + "); move that process out of the cgroup first",
                e.getMessage());
        assertEquals("", content("vserver/web1/cgroup.kill"));
    }
}
