package io.vserver.kmod.libc;

/**
 * The end of a process: its exit code, or the signal that killed it.
 *
 * @param exitCode   the exit code when the process exited, else -1
 * @param signal     the signal that killed the process, else {@code null}
 * @param coreDumped whether the killed process dumped core
 */
public record ExitStatus(int exitCode, Signal signal, boolean coreDumped) {

    /** Returns the status of a process that called {@code exit(code)}. */
    public static ExitStatus exited(int code) {
        return new ExitStatus(code, null, false);
    }

    /** Returns the status of a process killed by a signal. */
    public static ExitStatus killed(Signal signal, boolean coreDumped) {
        return new ExitStatus(-1, signal, coreDumped);
    }

    /** Returns true if the process exited rather than being killed. */
    public boolean isExited() {
        return signal == null;
    }

    /** Returns the status a shell reports: the exit code, or 128 plus the signal number. */
    public int shellStatus() {
        return isExited() ? exitCode : 128 + signal.number();
    }

    @Override
    public String toString() {
        if (isExited()) {
            return "exited with code " + exitCode;
        }
        return "killed by " + signal + (coreDumped ? " (core dumped)" : "");
    }
}
