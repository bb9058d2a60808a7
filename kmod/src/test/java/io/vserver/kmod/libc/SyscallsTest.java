package io.vserver.kmod.libc;

import io.vserver.kmod.proc.ProcFs;
import io.vserver.kmod.proc.ProcStatus;
import org.junit.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** Runs against the real kernel; needs no root. */
public class SyscallsTest {

    @Test
    public void getpidIsThisJvm() {
        assertEquals(ProcessHandle.current().pid(), Syscalls.getpid());
    }

    @Test
    public void capgetMatchesProcStatus() throws Exception {
        long[] masks = Syscalls.capget(0);
        ProcStatus status = ProcFs.system().status(Syscalls.getpid());

        assertEquals(status.capEff().mask(), masks[0]);
        assertEquals(status.capPrm().mask(), masks[1]);
        assertEquals(status.capInh().mask(), masks[2]);
    }

    @Test
    public void prlimitSetsLimitOfChild() throws Exception {
        Process child = new ProcessBuilder("sleep", "60").start();
        try {
            int pid = (int) child.pid();
            Syscalls.setRlimit(pid, LibC.SysResource.RLIMIT_NOFILE, new Rlimit(64, 128));

            assertEquals(new Rlimit(64, 128),
                    Syscalls.getRlimit(pid, LibC.SysResource.RLIMIT_NOFILE));
        } finally {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    public void prlimitErrorNamesPidAndResource() {
        SyscallException e = assertThrows(SyscallException.class,
                () -> Syscalls.getRlimit(Integer.MAX_VALUE, LibC.SysResource.RLIMIT_NOFILE));
        assertEquals("prlimit pid " + Integer.MAX_VALUE + " resource 7: No such process (ESRCH)",
                e.getMessage());
    }

    @Test
    public void rlimitRejectsSoftAboveHard() {
        assertThrows(IllegalArgumentException.class, () -> new Rlimit(10, 5));
        assertEquals("soft 5, hard unlimited", new Rlimit(5, Rlimit.UNLIMITED).toString());
    }

    @Test
    public void killRefusesPidOneAndGroups() {
        for (int pid : new int[] {1, 0, -1}) {
            assertThrows(IllegalArgumentException.class, () -> Syscalls.kill(pid, Signal.SIGTERM));
        }
    }

    @Test
    public void clockTicksArePositive() throws Exception {
        assertTrue(Syscalls.clockTicksPerSecond() > 0);
        assertTrue(Syscalls.pageSize() >= 4096);
    }
}
