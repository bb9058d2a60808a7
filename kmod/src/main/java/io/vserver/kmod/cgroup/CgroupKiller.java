package io.vserver.kmod.cgroup;

import io.vserver.kmod.internal.Deadline;
import io.vserver.kmod.libc.Errno;
import io.vserver.kmod.libc.Pidfd;
import io.vserver.kmod.libc.Signal;
import io.vserver.kmod.libc.SyscallException;
import io.vserver.kmod.libc.Syscalls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The {@link Cgroup#killAll(Duration)} procedure. */
final class CgroupKiller {

    private static final Logger LOG = LoggerFactory.getLogger(CgroupKiller.class);

    /**
     * How long one round waits for the group to empty before it kills again. Without a freezer a
     * process can fork between the read of the pids and the signals; the next round kills the
     * child.
     */
    private static final Duration ROUND_WAIT = Duration.ofMillis(500);
    private static final long MAX_POLL_MILLIS = 50;

    /** A freezer interface: the file to write, its values and how to tell it is frozen. */
    private record Freezer(Path control, String freeze, String thaw, Path state,
            String frozenLine) {
    }

    /** A check that {@link #await} repeats until it is true. */
    private interface Condition {
        boolean holds() throws IOException;
    }

    private final Cgroup group;
    private final CgroupFiles files;

    CgroupKiller(Cgroup group, CgroupFiles files) {
        this.group = group;
        this.files = files;
    }

    void killAll(Duration timeout) throws IOException {
        Deadline deadline = Deadline.after(timeout);
        Set<Integer> remaining = group.pids();
        while (!remaining.isEmpty()) {
            checkProtected(remaining);
            LOG.debug("Killing processes {} of {}", remaining, group);
            writeCgroupKill();
            Optional<Freezer> freezer = freezer();
            if (freezer.isPresent()) {
                freeze(freezer.get(), deadline);
            }
            try {
                signalMembers();
            } finally {
                if (freezer.isPresent()) {
                    thaw(freezer.get());
                }
            }
            await(deadline.atMost(ROUND_WAIT), () -> group.pids().isEmpty());
            remaining = group.pids();
            if (!remaining.isEmpty() && deadline.hasPassed()) {
                throw new CgroupException("Processes " + remaining + " remain in " + group
                        + " " + timeout.toMillis() + " ms after killing them; they may be in "
                        + "uninterruptible sleep (state D in /proc/PID/stat)");
            }
        }
    }

    /** Rejects a group that contains this JVM or the machine's init. */
    private void checkProtected(Set<Integer> pids) throws CgroupException {
        int self = Syscalls.getpid();
        if (pids.contains(self) || pids.contains(1)) {
            int pid = pids.contains(self) ? self : 1;
            throw new CgroupException("Cannot kill the processes of " + group + ": it contains "
                    + (pid == 1 ? "PID 1" : "this JVM (pid " + self + ")")
                    + "; move that process out of the cgroup first");
        }
    }

    private void writeCgroupKill() throws SyscallException {
        Optional<CgroupHierarchy> unified = group.hierarchies().unified();
        if (unified.isEmpty()) {
            return;
        }
        Path kill = group.directory(unified.get()).resolve("cgroup.kill");
        // cgroup.kill exists since Linux 5.14; older kernels fall back to signals alone.
        if (files.isFile(kill)) {
            files.write(kill, "1");
        }
    }

    /**
     * Signals each member through a pidfd opened before the membership is read again, so a pid
     * that was reused between the two reads is never signalled.
     */
    private void signalMembers() throws IOException {
        Map<Integer, Pidfd> pidfds = new LinkedHashMap<>();
        try {
            for (int pid : group.pids()) {
                openPidfd(pid).ifPresent(pidfd -> pidfds.put(pid, pidfd));
            }
            Set<Integer> members = group.pids();
            checkProtected(members);
            for (Map.Entry<Integer, Pidfd> entry : pidfds.entrySet()) {
                if (members.contains(entry.getKey())) {
                    sendKill(entry.getValue());
                }
            }
        } finally {
            for (Pidfd pidfd : pidfds.values()) {
                pidfd.close();
            }
        }
    }

    private static Optional<Pidfd> openPidfd(int pid) throws SyscallException {
        try {
            return Optional.of(Pidfd.open(pid));
        } catch (SyscallException e) {
            if (e.errno() == Errno.ESRCH) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static void sendKill(Pidfd pidfd) throws SyscallException {
        try {
            pidfd.sendSignal(Signal.SIGKILL);
        } catch (SyscallException e) {
            if (e.errno() != Errno.ESRCH) {
                throw e;
            }
        }
    }

    /** Returns the v1 freezer if the group has one there, else the v2 freezer, if any. */
    private Optional<Freezer> freezer() {
        for (CgroupHierarchy hierarchy : group.hierarchies().legacy()) {
            Path state = group.directory(hierarchy).resolve("freezer.state");
            if (hierarchy.hasController("freezer") && files.isFile(state)) {
                return Optional.of(new Freezer(state, "FROZEN", "THAWED", state, "FROZEN"));
            }
        }
        Optional<CgroupHierarchy> unified = group.hierarchies().unified();
        if (unified.isPresent()) {
            Path directory = group.directory(unified.get());
            Path control = directory.resolve("cgroup.freeze");
            if (files.isFile(control)) {
                return Optional.of(new Freezer(control, "1", "0",
                        directory.resolve("cgroup.events"), "frozen 1"));
            }
        }
        return Optional.empty();
    }

    /**
     * Freezes the group and waits until the kernel reports it frozen. When the deadline passes
     * first, the kill goes ahead anyway: SIGKILL still reaches every task once it is thawed.
     */
    private void freeze(Freezer freezer, Deadline deadline) throws IOException {
        files.write(freezer.control(), freezer.freeze());
        await(deadline, () -> {
            for (String line : files.read(freezer.state()).split("\n")) {
                if (line.trim().equals(freezer.frozenLine())) {
                    return true;
                }
            }
            return false;
        });
    }

    private void thaw(Freezer freezer) throws SyscallException {
        try {
            files.write(freezer.control(), freezer.thaw());
        } catch (SyscallException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
        }
    }

    /**
     * Repeats a check until it is true or the deadline passes, sleeping 1 ms at first and up
     * to 50 ms between checks. Polling is needed because cgroup v1 has no notification for a
     * cgroup becoming empty or frozen.
     *
     * @return whether the condition became true
     */
    private boolean await(Deadline deadline, Condition condition) throws IOException {
        long sleepMillis = 1;
        while (!condition.holds()) {
            if (deadline.hasPassed()) {
                return false;
            }
            try {
                Thread.sleep(Math.min(sleepMillis, Math.max(1, deadline.remainingMillis())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("Interrupted while killing the processes of "
                        + group);
            }
            sleepMillis = Math.min(sleepMillis * 2, MAX_POLL_MILLIS);
        }
        return true;
    }
}
