package io.vserver.api;

/**
 * One process as {@code vserver:ps} shows it.
 *
 * @param pid the host pid
 * @param guestPid the pid inside the guest's pid namespace, 0 for host processes
 * @param xid the context: 0 for the host, 1 for the spectator, the guest's xid otherwise
 * @param guest the guest's name, or {@code host} / {@code spectator}
 * @param state the one-letter state of /proc/PID/stat
 * @param rssBytes resident memory in bytes
 * @param command the command line, or the name in brackets for kernel threads
 */
public record GuestProcess(int pid, int guestPid, int xid, String guest, char state, long rssBytes, String command) {
}
