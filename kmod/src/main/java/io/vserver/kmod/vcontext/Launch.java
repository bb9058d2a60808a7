package io.vserver.kmod.vcontext;

import io.vserver.kmod.proc.ProcessIdentity;

/**
 * A started guest: its init and the vcontext monitor that waits for it, each with the start
 * time that distinguishes it from a later process with the same pid.
 *
 * @param init    the guest's init (pid 1 of the guest; vcontext's small init with
 *                {@code --reaper}), by its pid in the host's pid namespace
 * @param monitor the vcontext process that reaps the init and writes {@code exit.json}
 */
public record Launch(ProcessIdentity init, ProcessIdentity monitor) {

    /** Returns the init's pid in the host's pid namespace. */
    public int pid() {
        return init.pid();
    }

    /** Returns the monitor's pid. */
    public int monitorPid() {
        return monitor.pid();
    }
}
