package io.vserver.kmod.proc;

import io.vserver.kmod.libc.Syscalls;
import org.junit.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** Reads the running kernel's /proc for this JVM; needs no root. */
public class ProcFsKernelTest {

    private final ProcFs proc = ProcFs.system();
    private final int self = Syscalls.getpid();

    @Test
    public void statOfThisJvm() throws Exception {
        ProcStat stat = proc.stat(self);

        assertEquals(self, stat.pid());
        assertEquals(ProcessHandle.current().parent().orElseThrow().pid(), stat.ppid());
        assertTrue(stat.numThreads() > 1);
        assertTrue(stat.vsize() > 0);
        assertTrue(stat.rssBytes() > 0);
    }

    @Test
    public void startTimeMatchesProcessHandle() throws Exception {
        ProcStat stat = proc.stat(self);
        Instant start = proc.startInstant(stat, Syscalls.clockTicksPerSecond());
        Instant expected = ProcessHandle.current().info().startInstant().orElseThrow();

        Duration difference = Duration.between(expected, start).abs();
        assertTrue("start " + start + " differs from " + expected,
                difference.compareTo(Duration.ofSeconds(1)) <= 0);
    }

    @Test
    public void identityOfThisJvmIsAlive() throws Exception {
        ProcessIdentity identity = ProcessIdentity.of(proc, self).orElseThrow();

        assertTrue(identity.isAlive(proc));
        assertFalse(new ProcessIdentity(self, identity.startTime() + 1).isAlive(proc));
    }

    @Test
    public void namespacesMatchLinks() throws Exception {
        Map<String, Namespace> namespaces = proc.namespaces(self);

        String link = Files.readSymbolicLink(Path.of("/proc", Integer.toString(self), "ns/pid"))
                .toString();
        assertEquals(link, namespaces.get("pid").toString());
        assertTrue(namespaces.containsKey("mnt"));
    }

    @Test
    public void pidsContainThisJvm() throws Exception {
        assertTrue(proc.pids().contains(self));
    }

    @Test
    public void cgroupsListEveryHierarchy() throws Exception {
        assertFalse(proc.cgroups(self).isEmpty());
    }
}
