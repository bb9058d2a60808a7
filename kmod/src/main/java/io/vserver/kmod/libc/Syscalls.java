package io.vserver.kmod.libc;

import com.sun.jna.LastErrorException;

/**
 * Checked wrappers of the {@link LibC} calls that need no state of their own. Each one throws a
 * {@link SyscallException} that names the call and its object.
 */
public final class Syscalls {

    private Syscalls() {
    }

    /** Returns the process id of this JVM. */
    public static int getpid() {
        return LibC.INSTANCE.getpid();
    }

    /** Returns the effective user id of this JVM. */
    public static int geteuid() {
        return LibC.INSTANCE.geteuid();
    }

    /** Returns true if this JVM runs with effective user id 0. */
    public static boolean isRoot() {
        return geteuid() == 0;
    }

    /** Returns the size of a memory page in bytes. */
    public static int pageSize() {
        return LibC.INSTANCE.getpagesize();
    }

    /** Returns the clock ticks per second that /proc times are counted in ({@code _SC_CLK_TCK}). */
    public static long clockTicksPerSecond() throws SyscallException {
        try {
            return LibC.INSTANCE.sysconf(LibC.Unistd.SC_CLK_TCK);
        } catch (LastErrorException e) {
            throw new SyscallException("sysconf", "_SC_CLK_TCK", e);
        }
    }

    /**
     * Sends a signal to a process with {@code kill(2)}. Prefer {@link Pidfd#sendSignal} for a
     * process that was identified earlier, because a pid can be reused once its process is
     * reaped.
     *
     * @throws IllegalArgumentException for pid 0, 1 or a negative pid, which would reach a
     *                                  process group, the machine's init or every process
     */
    public static void kill(int pid, Signal signal) throws SyscallException {
        if (pid <= 1) {
            throw new IllegalArgumentException("Invalid pid " + pid + " for " + signal
                    + ": expected a single process other than PID 1, because kill(2) sends pid 1 "
                    + "to the machine's init, 0 and negative pids to process groups or every "
                    + "process");
        }
        try {
            LibC.INSTANCE.kill(pid, signal.number());
        } catch (LastErrorException e) {
            throw new SyscallException("kill", "pid " + pid + " " + signal, e);
        }
    }

    /** Closes a file descriptor. */
    public static void close(int fd) throws SyscallException {
        try {
            LibC.INSTANCE.close(fd);
        } catch (LastErrorException e) {
            throw new SyscallException("close", "fd " + fd, e);
        }
    }

    /**
     * Returns a resource limit of a process with {@code prlimit(2)}.
     *
     * @param pid      the process, or 0 for this JVM
     * @param resource an {@code RLIMIT_*} constant of {@link LibC.SysResource}
     */
    public static Rlimit getRlimit(int pid, int resource) throws SyscallException {
        long[] old = new long[2];
        try {
            LibC.INSTANCE.prlimit(pid, resource, null, old);
        } catch (LastErrorException e) {
            throw new SyscallException("prlimit", "pid " + pid + " resource " + resource, e);
        }
        return new Rlimit(old[0], old[1]);
    }

    /**
     * Sets a resource limit of a running process with {@code prlimit(2)}.
     *
     * @param pid      the process, or 0 for this JVM
     * @param resource an {@code RLIMIT_*} constant of {@link LibC.SysResource}
     */
    public static void setRlimit(int pid, int resource, Rlimit limit) throws SyscallException {
        try {
            LibC.INSTANCE.prlimit(pid, resource, new long[] {limit.soft(), limit.hard()}, null);
        } catch (LastErrorException e) {
            throw new SyscallException("prlimit", "pid " + pid + " resource " + resource
                    + " to " + limit, e);
        }
    }

    /**
     * Mounts a file system with {@code mount(2)}.
     *
     * @param flags {@code MS_*} flags of {@link LibC.SysMount}
     * @param data  file-system specific options, or {@code null}
     */
    public static void mount(String source, String target, String fileSystemType, long flags,
            String data) throws SyscallException {
        try {
            LibC.INSTANCE.mount(source, target, fileSystemType, flags, data);
        } catch (LastErrorException e) {
            String type = fileSystemType == null ? "" : " type " + fileSystemType;
            throw new SyscallException("mount", source + " on " + target + type, e);
        }
    }

    /**
     * Unmounts a file system with {@code umount2(2)}.
     *
     * @param flags {@code MNT_*} or {@code UMOUNT_NOFOLLOW} flags of {@link LibC.SysMount}
     */
    public static void umount2(String target, int flags) throws SyscallException {
        try {
            LibC.INSTANCE.umount2(target, flags);
        } catch (LastErrorException e) {
            throw new SyscallException("umount2", target, e);
        }
    }

    /**
     * Returns the capability masks of a thread with the raw {@code capget(2)} call, in the order
     * effective, permitted, inheritable, each a 64-bit mask with bit N for capability N.
     *
     * @param tid a thread id, or 0 for the calling thread
     */
    public static long[] capget(int tid) throws SyscallException {
        int[] header = {LibC.LinuxCapability.LINUX_CAPABILITY_VERSION_3, tid};
        int[] data = new int[3 * LibC.LinuxCapability.LINUX_CAPABILITY_U32S_3];
        try {
            LibC.INSTANCE.capget(header, data);
        } catch (LastErrorException e) {
            throw new SyscallException("capget", "pid " + tid, e);
        }
        long[] masks = new long[3];
        for (int set = 0; set < 3; set++) {
            long low = Integer.toUnsignedLong(data[set]);
            long high = Integer.toUnsignedLong(data[3 + set]);
            masks[set] = high << 32 | low;
        }
        return masks;
    }
}
