package io.vserver.kmod.cgroup;

import io.vserver.kmod.libc.Errno;
import io.vserver.kmod.libc.SyscallException;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** The driver on a pure cgroup v1 host, laid out in a temporary directory. */
public class CgroupLegacyTreeTest {

    private static final int IMPOSSIBLE_PID = 2_147_483_000;

    /** Each hierarchy with the interface files its root carries and their content. */
    private static final Map<String, Map<String, String>> HIERARCHIES = Map.of(
            "cpu,cpuacct", Map.of("cpu.cfs_quota_us", "-1\n", "cpu.cfs_period_us", "100000\n"),
            "cpuset", Map.of("cpuset.cpus", "0-3\n", "cpuset.mems", "0\n"),
            "memory", Map.of("memory.limit_in_bytes", "9223372036854771712\n"),
            "pids", Map.of(),
            "freezer", Map.of("freezer.state", "THAWED\n"),
            "systemd", Map.of());

    @Rule
    public TemporaryFolder temporary = new TemporaryFolder();

    private Path cgroupRoot;
    private CgroupHierarchies hierarchies;
    private Cgroup group;

    @Before
    public void layOutLegacyTree() throws Exception {
        Path root = temporary.getRoot().toPath();
        cgroupRoot = root.resolve("sys/fs/cgroup");
        StringBuilder mountinfo = new StringBuilder();
        int id = 32;
        for (Map.Entry<String, Map<String, String>> hierarchy : HIERARCHIES.entrySet()) {
            String name = hierarchy.getKey();
            String options = name.equals("systemd") ? "rw,xattr,name=systemd" : "rw," + name;
            mountinfo.append(id++).append(" 31 0:").append(id).append(" / /sys/fs/cgroup/")
                    .append(name).append(" rw,relatime - cgroup cgroup ").append(options)
                    .append('\n');
            Path directory = Files.createDirectories(cgroupRoot.resolve(name));
            Files.writeString(directory.resolve("cgroup.procs"), "");
            Files.writeString(directory.resolve("tasks"), "");
            for (Map.Entry<String, String> file : hierarchy.getValue().entrySet()) {
                Files.writeString(directory.resolve(file.getKey()), file.getValue());
            }
        }
        Files.writeString(cgroupRoot.resolve("pids/pids.max"), "");
        Files.writeString(root.resolve("mountinfo"), mountinfo);
        hierarchies = CgroupHierarchies.discover(root.resolve("mountinfo"), root,
                new TmpfsCgroupFiles());
        group = hierarchies.group("vserver-test/g1");
    }

    private String content(String relativePath) throws Exception {
        return Files.readString(cgroupRoot.resolve(relativePath));
    }

    @Test
    public void discoveryFindsLegacyLayout() {
        assertEquals(CgroupHierarchies.Layout.LEGACY, hierarchies.layout());
        assertEquals(6, hierarchies.all().size());
        assertEquals("cpu,cpuacct", hierarchies.forController("cpuacct").orElseThrow().name());
        assertTrue(hierarchies.forController("name=systemd").isPresent());
    }

    @Test
    public void createMakesGroupInEveryHierarchy() throws Exception {
        group.create();

        for (String name : HIERARCHIES.keySet()) {
            Path directory = cgroupRoot.resolve(name).resolve("vserver-test/g1");
            assertTrue(name, Files.isDirectory(directory));
        }
    }

    @Test
    public void createCopiesCpusetFromParent() throws Exception {
        group.create();

        assertEquals("0-3", content("cpuset/vserver-test/cpuset.cpus"));
        assertEquals("0", content("cpuset/vserver-test/cpuset.mems"));
        assertEquals("0-3", content("cpuset/vserver-test/g1/cpuset.cpus"));
        assertEquals("0", content("cpuset/vserver-test/g1/cpuset.mems"));
    }

    @Test
    public void typedLimitsWriteV1Files() throws Exception {
        group.create();

        group.setMemoryMax(64L << 20);
        assertEquals("67108864", content("memory/vserver-test/g1/memory.limit_in_bytes"));
        assertEquals(64L << 20, group.memoryMax());
        group.setMemoryMax(Cgroup.UNLIMITED);
        assertEquals("-1", content("memory/vserver-test/g1/memory.limit_in_bytes"));

        group.setPidsMax(Cgroup.UNLIMITED);
        assertEquals("max", content("pids/vserver-test/g1/pids.max"));
        assertEquals(Cgroup.UNLIMITED, group.pidsMax());

        group.setCpuMax(50_000, 100_000);
        assertEquals("50000", content("cpu,cpuacct/vserver-test/g1/cpu.cfs_quota_us"));
        assertEquals("100000", content("cpu,cpuacct/vserver-test/g1/cpu.cfs_period_us"));
        assertEquals(new CpuMax(50_000, 100_000), group.cpuMax());
        group.setCpuMax(Cgroup.UNLIMITED, 200_000);
        assertEquals("-1", content("cpu,cpuacct/vserver-test/g1/cpu.cfs_quota_us"));
        assertEquals(new CpuMax(Cgroup.UNLIMITED, 200_000), group.cpuMax());
    }

    @Test
    public void v1UnlimitedMemoryReadsAsUnlimited() throws Exception {
        group.create();
        Files.writeString(cgroupRoot.resolve("memory/vserver-test/g1/memory.limit_in_bytes"),
                "9223372036854771712\n");

        assertEquals(Cgroup.UNLIMITED, group.memoryMax());
    }

    @Test
    public void rawFilesRouteByController() throws Exception {
        assertEquals(cgroupRoot.resolve("memory"),
                group.hierarchyOf("memory.limit_in_bytes").mountPoint());
        assertEquals(cgroupRoot.resolve("cpu,cpuacct"),
                group.hierarchyOf("cpuacct.usage").mountPoint());
        assertEquals(cgroupRoot.resolve("freezer"),
                group.hierarchyOf("freezer.state").mountPoint());
    }

    @Test
    public void writeErrorNamesFileAndValue() {
        SyscallException e = assertThrows(SyscallException.class,
                () -> group.set("memory.limit_in_bytes", "lots"));

        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("write " + cgroupRoot.resolve("memory/vserver-test/g1/memory.limit_in_bytes")
                + " \"lots\": No such file or directory (ENOENT)", e.getMessage());
    }

    @Test
    public void cgroupIdNeedsUnifiedHierarchy() {
        CgroupException e = assertThrows(CgroupException.class, group::cgroupId);
        assertEquals("Cannot get the id of cgroup vserver-test/g1: no cgroup2 hierarchy is "
                + "mounted", e.getMessage());
    }

    @Test
    public void attachWritesEveryHierarchy() throws Exception {
        group.create();

        group.attach(4242);

        for (String name : HIERARCHIES.keySet()) {
            assertEquals(name, "4242", content(name + "/vserver-test/g1/cgroup.procs"));
        }
        assertEquals(Set.of(4242), group.pids());
    }

    @Test
    public void killAllFreezesAndThawsWithV1Freezer() throws Exception {
        group.create();
        Files.writeString(cgroupRoot.resolve("freezer/vserver-test/g1/freezer.state"), "THAWED\n");
        Files.writeString(cgroupRoot.resolve("pids/vserver-test/g1/cgroup.procs"),
                IMPOSSIBLE_PID + "\n");

        CgroupException e = assertThrows(CgroupException.class,
                () -> group.killAll(Duration.ofMillis(200)));

        assertTrue(e.getMessage(), e.getMessage().startsWith("Processes [" + IMPOSSIBLE_PID
                + "] remain in cgroup vserver-test/g1"));
        assertEquals("THAWED", content("freezer/vserver-test/g1/freezer.state"));
    }

    @Test
    public void removeDeletesEveryHierarchy() throws Exception {
        group.create();

        hierarchies.group("vserver-test").remove();

        assertFalse(group.exists());
        for (String name : HIERARCHIES.keySet()) {
            assertFalse(name, Files.exists(cgroupRoot.resolve(name).resolve("vserver-test")));
        }
    }
}
