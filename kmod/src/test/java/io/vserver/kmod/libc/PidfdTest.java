package io.vserver.kmod.libc;

import org.junit.After;
import org.junit.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

/** Runs against the real kernel; needs no root because it signals only its own children. */
public class PidfdTest {

    private final List<Process> children = new ArrayList<>();

    private Process startSleep() throws IOException {
        Process child = new ProcessBuilder("sleep", "60").start();
        children.add(child);
        return child;
    }

    @After
    public void killChildren() {
        for (Process child : children) {
            child.destroyForcibly();
        }
    }

    @Test
    public void epollReportsExitAfterSigterm() throws Exception {
        Process child = startSleep();
        int pid = (int) child.pid();
        try (Pidfd pidfd = Pidfd.open(pid); Epoll epoll = Epoll.create()) {
            epoll.add(pidfd.fd(), LibC.SysEpoll.EPOLLIN, pid);
            assertTrue(pidfd.isAlive());
            assertEquals(List.of(), epoll.waitForEvents(8, Duration.ZERO));

            pidfd.sendSignal(Signal.SIGTERM);
            List<Epoll.Event> events = epoll.waitForEvents(8, Duration.ofSeconds(10));

            assertEquals(1, events.size());
            assertEquals(pid, events.get(0).data());
            assertTrue((events.get(0).events() & LibC.SysEpoll.EPOLLIN) != 0);
            assertFalse(pidfd.isAlive());
        }
        assertTrue(child.waitFor(10, TimeUnit.SECONDS));
        assertEquals(128 + Signal.SIGTERM.number(), child.exitValue());
    }

    @Test
    public void oneEpollSetWatchesManyProcesses() throws Exception {
        List<Pidfd> pidfds = new ArrayList<>();
        try (Epoll epoll = Epoll.create()) {
            for (int i = 0; i < 5; i++) {
                Pidfd pidfd = Pidfd.open((int) startSleep().pid());
                pidfds.add(pidfd);
                epoll.add(pidfd.fd(), LibC.SysEpoll.EPOLLIN, pidfd.pid());
            }
            for (Pidfd pidfd : pidfds) {
                pidfd.sendSignal(Signal.SIGKILL);
            }

            Set<Long> exited = new HashSet<>();
            while (exited.size() < pidfds.size()) {
                List<Epoll.Event> events = epoll.waitForEvents(16, Duration.ofSeconds(10));
                assertFalse("timed out with exits of " + exited, events.isEmpty());
                for (Epoll.Event event : events) {
                    exited.add(event.data());
                    epoll.remove(pidfdOf(pidfds, event.data()).fd());
                }
            }

            Set<Long> expected = new HashSet<>();
            pidfds.forEach(pidfd -> expected.add((long) pidfd.pid()));
            assertEquals(expected, exited);
        } finally {
            for (Pidfd pidfd : pidfds) {
                pidfd.close();
            }
        }
    }

    private static Pidfd pidfdOf(List<Pidfd> pidfds, long pid) {
        return pidfds.stream().filter(p -> p.pid() == pid).findFirst().orElseThrow();
    }

    @Test
    public void awaitExitTimesOutWhileRunning() throws Exception {
        try (Pidfd pidfd = Pidfd.open((int) startSleep().pid())) {
            assertFalse(pidfd.awaitExit(Duration.ofMillis(20)));
        }
    }

    @Test
    public void openMissingProcessNamesPidAndErrno() {
        SyscallException e = assertThrows(SyscallException.class,
                () -> Pidfd.open(Integer.MAX_VALUE));
        assertEquals(Errno.ESRCH, e.errno());
        assertEquals("pidfd_open pid " + Integer.MAX_VALUE + ": No such process (ESRCH)",
                e.getMessage());
    }

    @Test
    public void waitidOnNonChildNamesErrno() throws Exception {
        int parent = (int) ProcessHandle.current().parent().orElseThrow().pid();
        try (Pidfd pidfd = Pidfd.open(parent)) {
            SyscallException e = assertThrows(SyscallException.class, () -> pidfd.waitid(false));
            assertEquals("waitid pidfd of pid " + parent + ": No child processes (ECHILD)",
                    e.getMessage());
        }
    }

    @Test
    public void sendSignalRefusesPidOne() throws Exception {
        try (Pidfd pidfd = Pidfd.open(1)) {
            assertThrows(IllegalArgumentException.class, () -> pidfd.sendSignal(Signal.SIGTERM));
        }
    }

    @Test
    public void closedPidfdRejectsUse() throws Exception {
        Pidfd pidfd = Pidfd.open((int) startSleep().pid());
        pidfd.close();
        pidfd.close();
        assertThrows(IllegalStateException.class, pidfd::fd);
    }
}
