package io.vserver.kmod.libc;

import com.sun.jna.LastErrorException;

import java.io.IOException;

/**
 * A system call that the kernel rejected, with the call, the object it was applied to and the
 * errno.
 *
 * <p>The message reads {@code SYSCALL OBJECT: DESCRIPTION (ERRNO_NAME)}, for example
 * {@code pivot_root /var/lib/vserver/web1/rootfs: Invalid argument (EINVAL)}, or
 * {@code SYSCALL: DESCRIPTION (ERRNO_NAME)} when there is no object.
 *
 * <p>This is a checked {@link IOException} because a rejected call is a condition of the
 * machine (a missing file, a process that exited, a kernel without a feature), not a
 * programming error: callers must decide what it means for the guest they were working on,
 * and the cgroup and /proc code that reads kernel files already throws {@code IOException}.
 */
public class SyscallException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String syscall;
    private final String object;
    private final int errno;

    /**
     * Creates the exception.
     *
     * @param syscall the system call or libc function, such as {@code mount}
     * @param object  what it was applied to, such as a path, {@code pid 123} or a path followed
     *                by the quoted value written; {@code null} when there is none
     * @param errno   the errno the call returned
     */
    public SyscallException(String syscall, String object, int errno) {
        this(syscall, object, errno, null);
    }

    /** Creates the exception from the {@link LastErrorException} JNA threw for the call. */
    public SyscallException(String syscall, String object, LastErrorException cause) {
        this(syscall, object, cause.getErrorCode(), cause);
    }

    private SyscallException(String syscall, String object, int errno, Throwable cause) {
        super(format(syscall, object, errno), cause);
        this.syscall = syscall;
        this.object = object;
        this.errno = errno;
    }

    private static String format(String syscall, String object, int errno) {
        String target = object == null || object.isEmpty() ? syscall : syscall + " " + object;
        return target + ": " + Errno.description(errno) + " (" + Errno.name(errno) + ")";
    }

    /** Returns the system call or libc function name, such as {@code mount}. */
    public String syscall() {
        return syscall;
    }

    /** Returns what the call was applied to, or {@code null} when there is none. */
    public String object() {
        return object;
    }

    /** Returns the errno number. */
    public int errno() {
        return errno;
    }

    /** Returns the symbolic errno name, such as {@code EINVAL}. */
    public String errnoName() {
        return Errno.name(errno);
    }
}
