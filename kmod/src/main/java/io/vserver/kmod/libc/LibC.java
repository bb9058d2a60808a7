package io.vserver.kmod.libc;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

import java.util.Map;

/**
 * JNA binding of the glibc functions the kernel layer calls, with their C names and C argument
 * order.
 *
 * <p>Functions that report failure through errno declare {@link LastErrorException}; JNA throws
 * it when errno is set after the call. Callers normally use the typed wrappers
 * ({@link Syscalls}, {@link Pidfd}, {@link Epoll}), which turn it into a
 * {@link SyscallException} that names the call and its object. {@code size_t} and
 * {@code ssize_t} are mapped to {@code long}, which is exact on the two supported 64-bit
 * architectures (x86_64 and aarch64).
 *
 * <p>Never call namespace system calls ({@code setns}, {@code unshare}) from the JVM: a
 * multithreaded process gets EINVAL for {@code setns} into a mount namespace, and the others
 * change one thread only. That is the vcontext program's job.
 */
public interface LibC extends Library {

    /** The loaded C library. */
    LibC INSTANCE = Native.load("c", LibC.class,
            Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));

    // unistd.h

    int getpid();

    int geteuid();

    int close(int fd) throws LastErrorException;

    long read(int fd, byte[] buffer, long count) throws LastErrorException;

    long write(int fd, byte[] buffer, long count) throws LastErrorException;

    int rmdir(String path) throws LastErrorException;

    long readlink(String path, byte[] buffer, long size) throws LastErrorException;

    int getpagesize();

    long sysconf(int name) throws LastErrorException;

    /** {@code syscall(2)} for calls with two integer arguments, such as {@code pidfd_open}. */
    long syscall(long number, long arg1, long arg2) throws LastErrorException;

    /** {@code syscall(2)} for {@code pidfd_send_signal(pidfd, sig, info, flags)}. */
    long syscall(long number, long arg1, long arg2, Pointer arg3, long arg4)
            throws LastErrorException;

    // fcntl.h and sys/stat.h

    /** {@code open(2)} without a mode, so it must not be called with {@code O_CREAT}. */
    int open(String path, int flags) throws LastErrorException;

    int mkdir(String path, int mode) throws LastErrorException;

    // signal.h

    int kill(int pid, int signal) throws LastErrorException;

    // sys/wait.h

    /** {@code waitid(2)}; {@code info} points to a 128-byte {@code siginfo_t}. */
    int waitid(int idType, int id, Pointer info, int options) throws LastErrorException;

    // poll.h

    /** {@code poll(2)}; {@code fds} points to {@code nfds} 8-byte {@code struct pollfd}. */
    int poll(Pointer fds, long nfds, int timeoutMillis) throws LastErrorException;

    // sys/epoll.h

    int epoll_create1(int flags) throws LastErrorException;

    /** {@code epoll_ctl(2)}; {@code event} points to a {@code struct epoll_event}. */
    int epoll_ctl(int epfd, int op, int fd, Pointer event) throws LastErrorException;

    int epoll_wait(int epfd, Pointer events, int maxEvents, int timeoutMillis)
            throws LastErrorException;

    // sys/resource.h

    /**
     * {@code prlimit(2)}; each limit is a {@code long[2]} of soft and hard value, or
     * {@code null}.
     */
    int prlimit(int pid, int resource, long[] newLimit, long[] oldLimit)
            throws LastErrorException;

    // sys/mount.h

    int mount(String source, String target, String fileSystemType, long flags, String data)
            throws LastErrorException;

    int umount2(String target, int flags) throws LastErrorException;

    // sys/capability.h (the raw system call, not libcap)

    /**
     * {@code capget(2)}; {@code header} is {@code {version, pid}} and {@code data} receives
     * {@code {effective, permitted, inheritable}} for each 32-bit half, low half first.
     */
    int capget(int[] header, int[] data) throws LastErrorException;

    /** Constants of {@code fcntl.h} whose values are the same on x86_64 and aarch64. */
    final class Fcntl {
        public static final int O_RDONLY = 0;
        public static final int O_WRONLY = 1;
        public static final int O_RDWR = 2;
        public static final int O_TRUNC = 0x200;
        public static final int O_APPEND = 0x400;
        public static final int O_NONBLOCK = 0x800;
        public static final int O_CLOEXEC = 0x80000;

        private Fcntl() {
        }
    }

    /** Constants of {@code unistd.h} for {@code sysconf}. */
    final class Unistd {
        public static final int SC_CLK_TCK = 2;
        public static final int SC_PAGESIZE = 30;

        private Unistd() {
        }
    }

    /** Constants of {@code sys/wait.h} and the {@code si_code} values of {@code siginfo.h}. */
    final class SysWait {
        public static final int P_ALL = 0;
        public static final int P_PID = 1;
        public static final int P_PGID = 2;
        public static final int P_PIDFD = 3;

        public static final int WNOHANG = 1;
        public static final int WSTOPPED = 2;
        public static final int WEXITED = 4;
        public static final int WCONTINUED = 8;
        public static final int WNOWAIT = 0x01000000;

        public static final int CLD_EXITED = 1;
        public static final int CLD_KILLED = 2;
        public static final int CLD_DUMPED = 3;

        private SysWait() {
        }
    }

    /** Constants of {@code poll.h}. */
    final class Poll {
        public static final short POLLIN = 0x1;
        public static final short POLLPRI = 0x2;
        public static final short POLLOUT = 0x4;
        public static final short POLLERR = 0x8;
        public static final short POLLHUP = 0x10;
        public static final short POLLNVAL = 0x20;

        private Poll() {
        }
    }

    /** Constants of {@code sys/epoll.h}. */
    final class SysEpoll {
        public static final int EPOLL_CLOEXEC = 0x80000;

        public static final int EPOLL_CTL_ADD = 1;
        public static final int EPOLL_CTL_DEL = 2;
        public static final int EPOLL_CTL_MOD = 3;

        public static final int EPOLLIN = 0x1;
        public static final int EPOLLPRI = 0x2;
        public static final int EPOLLOUT = 0x4;
        public static final int EPOLLERR = 0x8;
        public static final int EPOLLHUP = 0x10;
        public static final int EPOLLRDHUP = 0x2000;
        public static final int EPOLLONESHOT = 1 << 30;
        public static final int EPOLLET = 1 << 31;

        private SysEpoll() {
        }
    }

    /** Constants of {@code sys/resource.h}. */
    final class SysResource {
        public static final int RLIMIT_CPU = 0;
        public static final int RLIMIT_FSIZE = 1;
        public static final int RLIMIT_DATA = 2;
        public static final int RLIMIT_STACK = 3;
        public static final int RLIMIT_CORE = 4;
        public static final int RLIMIT_RSS = 5;
        public static final int RLIMIT_NPROC = 6;
        public static final int RLIMIT_NOFILE = 7;
        public static final int RLIMIT_MEMLOCK = 8;
        public static final int RLIMIT_AS = 9;
        public static final int RLIMIT_LOCKS = 10;
        public static final int RLIMIT_SIGPENDING = 11;
        public static final int RLIMIT_MSGQUEUE = 12;
        public static final int RLIMIT_NICE = 13;
        public static final int RLIMIT_RTPRIO = 14;
        public static final int RLIMIT_RTTIME = 15;

        /** {@code RLIM_INFINITY}, all 64 bits set. */
        public static final long RLIM_INFINITY = -1L;

        private SysResource() {
        }
    }

    /** Constants of {@code sys/mount.h}. */
    final class SysMount {
        public static final long MS_RDONLY = 1L;
        public static final long MS_NOSUID = 1L << 1;
        public static final long MS_NODEV = 1L << 2;
        public static final long MS_NOEXEC = 1L << 3;
        public static final long MS_SYNCHRONOUS = 1L << 4;
        public static final long MS_REMOUNT = 1L << 5;
        public static final long MS_DIRSYNC = 1L << 7;
        public static final long MS_NOSYMFOLLOW = 1L << 8;
        public static final long MS_NOATIME = 1L << 10;
        public static final long MS_NODIRATIME = 1L << 11;
        public static final long MS_BIND = 1L << 12;
        public static final long MS_MOVE = 1L << 13;
        public static final long MS_REC = 1L << 14;
        public static final long MS_SILENT = 1L << 15;
        public static final long MS_UNBINDABLE = 1L << 17;
        public static final long MS_PRIVATE = 1L << 18;
        public static final long MS_SLAVE = 1L << 19;
        public static final long MS_SHARED = 1L << 20;
        public static final long MS_RELATIME = 1L << 21;
        public static final long MS_STRICTATIME = 1L << 24;
        public static final long MS_LAZYTIME = 1L << 25;

        public static final int MNT_FORCE = 1;
        public static final int MNT_DETACH = 2;
        public static final int MNT_EXPIRE = 4;
        public static final int UMOUNT_NOFOLLOW = 8;

        private SysMount() {
        }
    }

    /** Constants of {@code linux/capability.h}. */
    final class LinuxCapability {
        public static final int LINUX_CAPABILITY_VERSION_3 = 0x20080522;
        public static final int LINUX_CAPABILITY_U32S_3 = 2;

        private LinuxCapability() {
        }
    }
}
