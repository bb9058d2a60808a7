package io.vserver.kmod.vcontext;

import java.io.IOException;

/**
 * The host-side step of a guest start that needs the init's pid: place the pid in the guest's
 * cgroups of every hierarchy, attach network programs. It runs while the init mounts the
 * guest's file system, and {@link VContext#create} lets the init create its cgroup namespace,
 * drop privileges and execute the init command only when this returns. An init whose setup
 * failed stays an unreaped zombie until this returns, so its pid is not reused meanwhile.
 */
@FunctionalInterface
public interface Attach {

    /**
     * Attaches the guest's init.
     *
     * @param pid the init's pid in the host's pid namespace
     * @throws IOException to abort the start: vcontext then kills the init
     */
    void accept(int pid) throws IOException;

    /** Returns the step that attaches nothing. */
    static Attach nothing() {
        return pid -> {
        };
    }
}
