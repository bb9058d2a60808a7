package io.vserver.kmod.libc;

import com.sun.jna.Platform;

/**
 * Numbers of the system calls that the kernel layer makes through {@code syscall(2)} because
 * glibc before 2.36 has no wrapper for them, chosen for the running architecture.
 *
 * <p>Calls added since Linux 5.1 share one number on every architecture, so the two tables
 * agree today; they are kept apart so that a call with diverging numbers can be added without
 * guessing.
 */
public final class SyscallNumbers {

    private static final SyscallNumbers X86_64 = new SyscallNumbers("x86_64", 434, 424);
    private static final SyscallNumbers AARCH64 = new SyscallNumbers("aarch64", 434, 424);

    private final String architecture;
    private final int pidfdOpen;
    private final int pidfdSendSignal;

    private SyscallNumbers(String architecture, int pidfdOpen, int pidfdSendSignal) {
        this.architecture = architecture;
        this.pidfdOpen = pidfdOpen;
        this.pidfdSendSignal = pidfdSendSignal;
    }

    /**
     * Returns the table of the architecture this JVM runs on.
     *
     * @throws UnsupportedOperationException on an architecture other than x86_64 or aarch64
     */
    public static SyscallNumbers current() {
        if (Platform.isLinux() && Platform.is64Bit()) {
            if (Platform.isIntel()) {
                return X86_64;
            }
            if (Platform.isARM()) {
                return AARCH64;
            }
        }
        throw new UnsupportedOperationException("System call numbers are known only for Linux "
                + "on x86_64 and aarch64, not for " + System.getProperty("os.name") + " on "
                + System.getProperty("os.arch"));
    }

    /** Returns the architecture name, {@code x86_64} or {@code aarch64}. */
    public String architecture() {
        return architecture;
    }

    /** Returns the number of {@code pidfd_open}. */
    public int pidfdOpen() {
        return pidfdOpen;
    }

    /** Returns the number of {@code pidfd_send_signal}. */
    public int pidfdSendSignal() {
        return pidfdSendSignal;
    }
}
