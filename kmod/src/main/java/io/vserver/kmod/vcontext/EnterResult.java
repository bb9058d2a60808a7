package io.vserver.kmod.vcontext;

/**
 * The exit code and the captured output of a command run with {@code vcontext enter}.
 *
 * @param exitCode the command's exit code, or 128 plus the signal number when a signal killed it
 * @param stdout   the captured standard output, decoded as UTF-8; empty when it was redirected
 * @param stderr   the captured standard error, decoded as UTF-8; empty when it was redirected
 */
public record EnterResult(int exitCode, String stdout, String stderr) {

    /** Returns true if the command exited with code 0. */
    public boolean succeeded() {
        return exitCode == 0;
    }
}
