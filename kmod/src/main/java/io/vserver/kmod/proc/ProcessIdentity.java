package io.vserver.kmod.proc;

import io.vserver.kmod.libc.SyscallException;

import java.util.Optional;

/**
 * A process identified by its pid and its start time in clock ticks since boot. A reused pid
 * belongs to a process with a later start time, so comparing the pair shows whether a guest's init
 * recorded before a host restart is still the same process.
 *
 * <p>The text form {@code PID@STARTTIME}, such as {@code 4242@1234567}, is meant for run files.
 * Start times count from boot, so an identity from before a reboot never matches a process
 * after it, except by coincidence of both numbers.
 */
public record ProcessIdentity(int pid, long startTime) {

    public ProcessIdentity {
        if (pid <= 0) {
            throw new IllegalArgumentException("Invalid pid " + pid + ": expected a positive pid");
        }
        if (startTime < 0) {
            throw new IllegalArgumentException("Invalid start time " + startTime
                    + ": expected clock ticks since boot, 0 or more");
        }
    }

    /** Returns the identity of a running process, or empty when it does not exist. */
    public static Optional<ProcessIdentity> of(ProcFs proc, int pid) throws SyscallException {
        return proc.findStat(pid).map(ProcStat::identity);
    }

    /**
     * Returns true if a process with this pid exists and has this start time. A zombie that
     * is not yet reaped still matches; check {@link ProcStat#isZombie()} to tell it apart.
     */
    public boolean isAlive(ProcFs proc) throws SyscallException {
        Optional<ProcStat> stat = proc.findStat(pid);
        return stat.isPresent() && stat.get().startTime() == startTime;
    }

    /**
     * Parses the text form {@code PID@STARTTIME}.
     *
     * @throws IllegalArgumentException naming the text when it is malformed
     */
    public static ProcessIdentity parse(String text) {
        int at = text.indexOf('@');
        if (at > 0) {
            try {
                return new ProcessIdentity(Integer.parseInt(text.substring(0, at)),
                        Long.parseLong(text.substring(at + 1)));
            } catch (IllegalArgumentException e) {
                throw invalid(text, e);
            }
        }
        throw invalid(text, null);
    }

    private static IllegalArgumentException invalid(String text, Throwable cause) {
        return new IllegalArgumentException("Invalid process identity \"" + text
                + "\": expected PID@STARTTIME, such as 4242@1234567", cause);
    }

    /** Returns the text form {@code PID@STARTTIME}. */
    @Override
    public String toString() {
        return pid + "@" + startTime;
    }
}
