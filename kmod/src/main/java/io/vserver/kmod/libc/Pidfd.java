package io.vserver.kmod.libc;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import io.vserver.kmod.internal.Deadline;

import java.time.Duration;
import java.util.Optional;

/**
 * A process file descriptor ({@code pidfd_open(2)}): a handle on one process that stays valid
 * when its pid is reused, so signals sent through it never reach another process.
 *
 * <p>The descriptor becomes readable when the process exits, which makes it usable in
 * {@code poll(2)} and in an {@link Epoll} set. It is opened close-on-exec by the kernel.
 */
public final class Pidfd implements AutoCloseable {

    private static final int SIGINFO_SIZE = 128;
    private static final int SIGINFO_CODE_OFFSET = 8;
    private static final int SIGINFO_PID_OFFSET = 16;
    private static final int SIGINFO_STATUS_OFFSET = 24;
    private static final int POLLFD_SIZE = 8;

    private final int pid;
    private int fd;

    private Pidfd(int pid, int fd) {
        this.pid = pid;
        this.fd = fd;
    }

    /**
     * Opens a pidfd on a running process.
     *
     * @throws SyscallException with ESRCH when no such process exists
     */
    public static Pidfd open(int pid) throws SyscallException {
        if (pid <= 0) {
            throw new IllegalArgumentException("Invalid pid " + pid + ": expected a positive pid");
        }
        try {
            long fd = LibC.INSTANCE.syscall(SyscallNumbers.current().pidfdOpen(), pid, 0);
            return new Pidfd(pid, (int) fd);
        } catch (LastErrorException e) {
            throw new SyscallException("pidfd_open", "pid " + pid, e);
        }
    }

    /** Returns the pid the descriptor was opened on. */
    public int pid() {
        return pid;
    }

    /**
     * Returns the file descriptor number, for registering it in an {@link Epoll} set.
     *
     * @throws IllegalStateException after {@link #close()}
     */
    public synchronized int fd() {
        if (fd < 0) {
            throw new IllegalStateException("pidfd of pid " + pid + " is closed");
        }
        return fd;
    }

    /**
     * Sends a signal with {@code pidfd_send_signal(2)}.
     *
     * @throws SyscallException with ESRCH when the process has exited
     */
    public void sendSignal(Signal signal) throws SyscallException {
        if (pid == 1) {
            throw new IllegalArgumentException("Cannot send " + signal + " to PID 1: the kernel "
                    + "layer never signals the machine's init");
        }
        try {
            LibC.INSTANCE.syscall(SyscallNumbers.current().pidfdSendSignal(), fd(),
                    signal.number(), Pointer.NULL, 0);
        } catch (LastErrorException e) {
            throw new SyscallException("pidfd_send_signal", "pid " + pid + " " + signal, e);
        }
    }

    /** Returns true while the process has not exited. */
    public boolean isAlive() throws SyscallException {
        return !awaitExit(Duration.ZERO);
    }

    /**
     * Waits with {@code poll(2)} until the process exits or the timeout passes.
     *
     * @return true if the process has exited
     */
    public boolean awaitExit(Duration timeout) throws SyscallException {
        Deadline deadline = Deadline.after(timeout);
        Memory pollfd = new Memory(POLLFD_SIZE);
        while (true) {
            pollfd.clear();
            pollfd.setInt(0, fd());
            pollfd.setShort(4, LibC.Poll.POLLIN);
            try {
                int ready = LibC.INSTANCE.poll(pollfd, 1, deadline.remainingMillis());
                int exitEvents = LibC.Poll.POLLIN | LibC.Poll.POLLHUP;
                return ready > 0 && (pollfd.getShort(6) & exitEvents) != 0;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new SyscallException("poll", "pidfd of pid " + pid, e);
                }
            }
        }
    }

    /**
     * Collects the exit status with {@code waitid(P_PIDFD, ...)}. This works only for a child
     * of this JVM that no other thread has reaped; note that {@link Process} reaps the children
     * it starts, so use {@link Process#waitFor()} for those.
     *
     * @param block whether to wait for the exit, or return at once when still running
     * @return the status, or empty when {@code block} is false and the process still runs
     * @throws SyscallException with ECHILD when the process is not an unreaped child
     */
    public Optional<ExitStatus> waitid(boolean block) throws SyscallException {
        Memory info = new Memory(SIGINFO_SIZE);
        info.clear();
        int options = LibC.SysWait.WEXITED | (block ? 0 : LibC.SysWait.WNOHANG);
        while (true) {
            try {
                LibC.INSTANCE.waitid(LibC.SysWait.P_PIDFD, fd(), info, options);
                break;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new SyscallException("waitid", "pidfd of pid " + pid, e);
                }
            }
        }
        if (info.getInt(SIGINFO_PID_OFFSET) == 0) {
            return Optional.empty();
        }
        int code = info.getInt(SIGINFO_CODE_OFFSET);
        int status = info.getInt(SIGINFO_STATUS_OFFSET);
        if (code == LibC.SysWait.CLD_EXITED) {
            return Optional.of(ExitStatus.exited(status));
        }
        return Optional.of(ExitStatus.killed(Signal.of(status),
                code == LibC.SysWait.CLD_DUMPED));
    }

    /** Closes the descriptor; closing twice does nothing. */
    @Override
    public synchronized void close() throws SyscallException {
        if (fd >= 0) {
            int closing = fd;
            fd = -1;
            Syscalls.close(closing);
        }
    }

    @Override
    public String toString() {
        return "pidfd of pid " + pid;
    }
}
