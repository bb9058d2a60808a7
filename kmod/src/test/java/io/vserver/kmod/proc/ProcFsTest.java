package io.vserver.kmod.proc;

import io.vserver.kmod.caps.Capability;
import io.vserver.kmod.caps.CapabilitySet;
import io.vserver.kmod.libc.Errno;
import io.vserver.kmod.libc.SyscallException;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** Reads a directory tree laid out like /proc. */
public class ProcFsTest {

    private static final String STATUS = "Name:\tsleep\nUmask:\t0022\nState:\tS (sleeping)\n"
            + "CapInh:\t0000000000000000\nCapPrm:\t000001fffeffffff\n"
            + "CapEff:\t00000000a80425fb\nCapBnd:\t000001ffffffffff\n"
            + "CapAmb:\t0000000000000400\nNoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t1\n";

    @Rule
    public TemporaryFolder temporary = new TemporaryFolder();

    private Path root;
    private ProcFs proc;

    @Before
    public void layOutProc() throws Exception {
        root = temporary.getRoot().toPath();
        Path process = Files.createDirectories(root.resolve("11228"));
        Files.writeString(process.resolve("stat"), ProcStatTest.CAT_STAT);
        Files.writeString(process.resolve("status"), STATUS);
        Files.writeString(process.resolve("cgroup"), "9:name=systemd:/\n"
                + "2:cpu,cpuacct:/vserver/web1\n4:memory:/vserver/web1\n0::/vserver/web1\n");
        Path ns = Files.createDirectories(process.resolve("ns"));
        Files.createSymbolicLink(ns.resolve("pid"), Path.of("pid:[4026531836]"));
        Files.createSymbolicLink(ns.resolve("net"), Path.of("net:[4026531833]"));
        Files.createSymbolicLink(ns.resolve("pid_for_children"), Path.of("pid:[4026532100]"));
        Files.createDirectories(root.resolve("1"));
        Files.createDirectories(root.resolve("self"));
        Files.createDirectories(root.resolve("sys"));
        Files.writeString(root.resolve("stat"), "cpu  1 2 3\nbtime 1796424501\nprocesses 9\n");
        proc = new ProcFs(root, 4096);
    }

    @Test
    public void statOfProcess() throws Exception {
        ProcStat stat = proc.stat(11228);
        assertEquals("cat", stat.comm());
        assertEquals(411 * 4096L, stat.rssBytes());
    }

    @Test
    public void missingProcessIsEmptyOrNamedError() throws Exception {
        assertEquals(Optional.empty(), proc.findStat(999));
        SyscallException e = assertThrows(SyscallException.class, () -> proc.stat(999));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("read " + root.resolve("999/stat") + ": No such file or directory (ENOENT)",
                e.getMessage());
    }

    @Test
    public void statusCapabilitiesAndNoNewPrivs() throws Exception {
        ProcStatus status = proc.status(11228);

        assertEquals(CapabilitySet.empty(), status.capInh());
        assertEquals(0x1fffeffffffL, status.capPrm().mask());
        assertFalse(status.capPrm().contains(Capability.CAP_SYS_RESOURCE));
        assertEquals(0xa80425fbL, status.capEff().mask());
        assertTrue(status.capEff().contains(Capability.CAP_NET_BIND_SERVICE));
        assertEquals(CapabilitySet.upTo(40), status.capBnd());
        assertEquals(CapabilitySet.of(Capability.CAP_NET_BIND_SERVICE), status.capAmb());
        assertTrue(status.noNewPrivs());
        assertEquals(2, status.seccomp());
    }

    @Test
    public void statusWithoutCapabilityLinesNamesField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProcStatus.parse("Name:\tx\n", "/proc/5/status"));
        assertEquals("Missing field CapInh in /proc/5/status", e.getMessage());
    }

    @Test
    public void namespacesFromLinkTargets() throws Exception {
        Map<String, Namespace> namespaces = proc.namespaces(11228);

        assertEquals(List.of("net", "pid", "pid_for_children"), List.copyOf(namespaces.keySet()));
        assertEquals(new Namespace("pid", 4026531836L), namespaces.get("pid"));
        assertEquals("pid:[4026532100]", namespaces.get("pid_for_children").toString());
    }

    @Test
    public void namespaceLinkTargetIsValidated() {
        assertThrows(IllegalArgumentException.class, () -> Namespace.parse("pid:4026531836"));
        assertThrows(IllegalArgumentException.class, () -> Namespace.parse("pid:[x]"));
    }

    @Test
    public void cgroupMembershipLines() throws Exception {
        List<CgroupMembership> cgroups = proc.cgroups(11228);

        assertEquals(4, cgroups.size());
        assertEquals(new CgroupMembership(9, List.of("name=systemd"), "/"), cgroups.get(0));
        assertEquals(List.of("cpu", "cpuacct"), cgroups.get(1).controllers());
        assertEquals("/vserver/web1", cgroups.get(2).path());
        assertTrue(cgroups.get(3).isUnified());
        assertEquals("/vserver/web1", cgroups.get(3).path());
    }

    @Test
    public void pidsAreNumericEntriesInOrder() throws Exception {
        assertEquals(List.of(1, 11228), proc.pids());
    }

    @Test
    public void bootTimeAndStartInstant() throws Exception {
        assertEquals(Instant.ofEpochSecond(1796424501L), proc.bootTime());
        // 82058 ticks at 100 per second are 820.58 s after boot.
        assertEquals(Instant.ofEpochSecond(1796424501L + 820, 580_000_000),
                proc.startInstant(proc.stat(11228), 100));
    }
}
