package io.vserver.kmod.cgroup;

import java.io.IOException;

/**
 * A cgroup operation that failed for a reason other than a rejected system call: no mounted
 * hierarchy has the controller a file belongs to, or processes remained after a kill. Rejected
 * system calls surface as {@link io.vserver.kmod.libc.SyscallException}.
 */
public class CgroupException extends IOException {

    private static final long serialVersionUID = 1L;

    public CgroupException(String message) {
        super(message);
    }

    public CgroupException(String message, Throwable cause) {
        super(message, cause);
    }
}
