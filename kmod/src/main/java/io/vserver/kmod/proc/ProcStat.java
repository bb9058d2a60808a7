package io.vserver.kmod.proc;

/**
 * The fields of {@code /proc/PID/stat} that the host uses (see proc(5)).
 *
 * @param pid        the process id
 * @param comm       the command name, up to 15 bytes; it may contain spaces and parentheses
 * @param state      the state letter: {@code R} running, {@code S} sleeping, {@code D} disk
 *                   sleep, {@code Z} zombie, {@code T} stopped, and others
 * @param ppid       the parent's process id
 * @param pgrp       the process group id
 * @param session    the session id
 * @param utime      user-mode CPU time in clock ticks
 * @param stime      kernel-mode CPU time in clock ticks
 * @param numThreads the number of threads
 * @param startTime  the start time in clock ticks since boot; with the pid it identifies the
 *                   process across pid reuse
 * @param vsize      the virtual memory size in bytes
 * @param rssPages   the resident set size in pages
 * @param pageSize   the page size in bytes that {@link #rssBytes()} multiplies by
 */
public record ProcStat(int pid, String comm, char state, int ppid, int pgrp, int session,
        long utime, long stime, int numThreads, long startTime, long vsize, long rssPages,
        int pageSize) {

    /** Returns the resident set size in bytes. */
    public long rssBytes() {
        return rssPages * pageSize;
    }

    /** Returns true if the process has exited and waits for its parent to reap it. */
    public boolean isZombie() {
        return state == 'Z';
    }

    /** Returns the identity (pid and start time) that survives pid reuse checks. */
    public ProcessIdentity identity() {
        return new ProcessIdentity(pid, startTime);
    }

    /**
     * Parses the content of a {@code /proc/PID/stat} file.
     *
     * <p>The command name is taken up to the last closing parenthesis, because it may itself
     * contain spaces and parentheses.
     *
     * @param source where the text came from, for error messages
     * @throws IllegalArgumentException naming the source when the text is malformed
     */
    public static ProcStat parse(String text, int pageSize, String source) {
        int open = text.indexOf('(');
        int close = text.lastIndexOf(')');
        if (open < 1 || close < open) {
            throw invalid(source, text, "no command name in parentheses");
        }
        String[] fields = text.substring(close + 1).trim().split(" +");
        // fields[0] is field 3 of proc(5) (state); field N is fields[N - 3].
        if (fields.length < 22 || fields[0].length() != 1) {
            throw invalid(source, text, "fewer than 24 fields");
        }
        try {
            return new ProcStat(
                    Integer.parseInt(text.substring(0, open).trim()),
                    text.substring(open + 1, close),
                    fields[0].charAt(0),
                    Integer.parseInt(fields[1]),
                    Integer.parseInt(fields[2]),
                    Integer.parseInt(fields[3]),
                    Long.parseLong(fields[11]),
                    Long.parseLong(fields[12]),
                    Integer.parseInt(fields[17]),
                    Long.parseUnsignedLong(fields[19]),
                    Long.parseUnsignedLong(fields[20]),
                    Long.parseLong(fields[21]),
                    pageSize);
        } catch (NumberFormatException e) {
            throw invalid(source, text, e.getMessage());
        }
    }

    private static IllegalArgumentException invalid(String source, String text, String reason) {
        return new IllegalArgumentException("Invalid content of " + source + " (" + reason
                + "): \"" + text.strip() + "\"");
    }
}
