package io.vserver.kmod.cgroup;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** Discovery from mountinfo text, with mount points resolved under a temporary directory. */
public class CgroupDiscoveryTest {

    /** Mounts of a hybrid host: v1 controllers, name=systemd, and cgroup2 without controllers. */
    static final String HYBRID_MOUNTINFO = ""
            + "29 1 8:1 / / rw,relatime - ext4 /dev/vda rw\n"
            + "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
            + "32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
            + "33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
            + "34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
            + "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
            + "36 31 0:33 / /sys/fs/cgroup/devices rw,relatime - cgroup cgroup rw,devices\n"
            + "37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer\n"
            + "38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio\n"
            + "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
            + "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup "
            + "rw,xattr,release_agent=/lib/systemd/systemd-cgroups-agent,name=systemd\n"
            + "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";

    @Rule
    public TemporaryFolder temporary = new TemporaryFolder();

    private Path root;
    private Path mountinfo;

    @Before
    public void createRoot() {
        root = temporary.getRoot().toPath();
        mountinfo = root.resolve("mountinfo");
    }

    private CgroupHierarchies discover(String text) throws Exception {
        Files.writeString(mountinfo, text);
        return CgroupHierarchies.discover(mountinfo, root);
    }

    @Test
    public void hybridHostHasEveryV1ControllerAndUnified() throws Exception {
        Path unified = Files.createDirectories(root.resolve("sys/fs/cgroup/unified"));
        Files.writeString(unified.resolve("cgroup.controllers"), "hugetlb\n");

        CgroupHierarchies hierarchies = discover(HYBRID_MOUNTINFO);

        assertEquals(CgroupHierarchies.Layout.HYBRID, hierarchies.layout());
        assertEquals(9, hierarchies.legacy().size());
        assertEquals(10, hierarchies.all().size());
        assertEquals(root.resolve("sys/fs/cgroup/memory"),
                hierarchies.forController("memory").orElseThrow().mountPoint());
        assertEquals(CgroupVersion.V1, hierarchies.forController("pids").orElseThrow().version());
        CgroupHierarchy systemd = hierarchies.forController("name=systemd").orElseThrow();
        assertEquals(Set.of("name=systemd"), systemd.controllers());
        CgroupHierarchy v2 = hierarchies.unified().orElseThrow();
        assertEquals(root.resolve("sys/fs/cgroup/unified"), v2.mountPoint());
        assertEquals(Set.of("hugetlb"), v2.controllers());
        assertEquals(Optional.of(v2), hierarchies.forController("hugetlb"));
        assertEquals(Optional.empty(), hierarchies.forController("rdma"));
    }

    @Test
    public void unifiedHostReadsEnabledControllers() throws Exception {
        Path cgroup = Files.createDirectories(root.resolve("sys/fs/cgroup"));
        Files.writeString(cgroup.resolve("cgroup.controllers"), "cpuset cpu io memory pids\n");

        CgroupHierarchies hierarchies = discover("25 1 0:23 / /sys/fs/cgroup "
                + "rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 "
                + "rw,nsdelegate,memory_recursiveprot\n");

        assertEquals(CgroupHierarchies.Layout.UNIFIED, hierarchies.layout());
        assertEquals(List.of(), hierarchies.legacy());
        assertEquals(Set.of("cpuset", "cpu", "io", "memory", "pids"),
                hierarchies.unified().orElseThrow().controllers());
        assertEquals(CgroupVersion.V2, hierarchies.forController("memory").orElseThrow().version());
    }

    @Test
    public void unifiedWithoutControllersFileHasNone() throws Exception {
        Files.createDirectories(root.resolve("sys/fs/cgroup"));

        CgroupHierarchies hierarchies = discover(
                "25 1 0:23 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw\n");

        assertEquals(Set.of(), hierarchies.unified().orElseThrow().controllers());
    }

    @Test
    public void combinedV1ControllersShareOneHierarchy() throws Exception {
        CgroupHierarchies hierarchies = discover("32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct "
                + "rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct\n");

        CgroupHierarchy cpu = hierarchies.forController("cpu").orElseThrow();
        assertEquals(cpu, hierarchies.forController("cpuacct").orElseThrow());
        assertEquals("cpu,cpuacct", cpu.name());
        assertEquals(root.resolve("sys/fs/cgroup/cpu,cpuacct"), cpu.mountPoint());
        assertEquals(CgroupHierarchies.Layout.LEGACY, hierarchies.layout());
    }

    @Test
    public void wholeHierarchyMountIsPreferredOverSubtree() throws Exception {
        CgroupHierarchies hierarchies = discover(
                "50 1 0:32 /lxc/c1 /var/lib/c1/memory rw - cgroup cgroup rw,memory\n"
                + "35 31 0:32 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
                + "60 1 0:32 / /mnt/memory-again rw - cgroup cgroup rw,memory\n");

        assertEquals(1, hierarchies.legacy().size());
        assertEquals(root.resolve("sys/fs/cgroup/memory"),
                hierarchies.forController("memory").orElseThrow().mountPoint());
    }

    @Test
    public void noCgroupMountsGiveEmptyLayout() throws Exception {
        CgroupHierarchies hierarchies = discover("29 1 8:1 / / rw - ext4 /dev/vda rw\n");

        assertEquals(CgroupHierarchies.Layout.NONE, hierarchies.layout());
        assertTrue(hierarchies.all().isEmpty());
        CgroupException e = assertThrows(CgroupException.class,
                () -> hierarchies.group("vserver/web1").setPidsMax(10));
        assertEquals("No mounted cgroup hierarchy has the pids controller that cgroup "
                + "vserver/web1 needs; mounted: no cgroup hierarchy is mounted", e.getMessage());
    }

    @Test
    public void runningHostHasCgroupHierarchies() throws Exception {
        CgroupHierarchies hierarchies = CgroupHierarchies.discover();

        assertFalse(hierarchies.all().isEmpty());
        for (CgroupHierarchy hierarchy : hierarchies.all()) {
            assertTrue(hierarchy.toString(), Files.isDirectory(hierarchy.mountPoint()));
        }
    }

    @Test
    public void groupPathIsValidated() throws Exception {
        CgroupHierarchies hierarchies = discover(HYBRID_MOUNTINFO);
        for (String path : new String[] {"", "/vserver", "vserver/", "a//b", "a/../b", "./a"}) {
            IllegalArgumentException e = assertThrows(path, IllegalArgumentException.class,
                    () -> hierarchies.group(path));
            assertTrue(e.getMessage(), e.getMessage().startsWith(
                    "Invalid cgroup path \"" + path + "\""));
        }
    }
}
