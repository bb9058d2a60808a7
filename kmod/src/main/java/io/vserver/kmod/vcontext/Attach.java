package io.vserver.kmod.vcontext;

import java.io.IOException;

/**
 * The host-side step of a guest start that needs the init's pid, run while the init waits
 * before it builds the guest: place the pid in the guest's cgroups of every hierarchy, attach
 * network programs. {@link VContext#create} lets the init continue only when this returns.
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
