package io.vserver.kmod.caps;

import io.vserver.kmod.internal.KernelFiles;
import io.vserver.kmod.libc.SyscallException;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The Linux capabilities with their kernel names and bit numbers ({@code linux/capability.h}),
 * up to {@code CAP_CHECKPOINT_RESTORE} (40, Linux 5.9). A newer kernel may know more; see
 * {@link #kernelLastCap(Path)}.
 */
public enum Capability {
    CAP_CHOWN(0),
    CAP_DAC_OVERRIDE(1),
    CAP_DAC_READ_SEARCH(2),
    CAP_FOWNER(3),
    CAP_FSETID(4),
    CAP_KILL(5),
    CAP_SETGID(6),
    CAP_SETUID(7),
    CAP_SETPCAP(8),
    CAP_LINUX_IMMUTABLE(9),
    CAP_NET_BIND_SERVICE(10),
    CAP_NET_BROADCAST(11),
    CAP_NET_ADMIN(12),
    CAP_NET_RAW(13),
    CAP_IPC_LOCK(14),
    CAP_IPC_OWNER(15),
    CAP_SYS_MODULE(16),
    CAP_SYS_RAWIO(17),
    CAP_SYS_CHROOT(18),
    CAP_SYS_PTRACE(19),
    CAP_SYS_PACCT(20),
    CAP_SYS_ADMIN(21),
    CAP_SYS_BOOT(22),
    CAP_SYS_NICE(23),
    CAP_SYS_RESOURCE(24),
    CAP_SYS_TIME(25),
    CAP_SYS_TTY_CONFIG(26),
    CAP_MKNOD(27),
    CAP_LEASE(28),
    CAP_AUDIT_WRITE(29),
    CAP_AUDIT_CONTROL(30),
    CAP_SETFCAP(31),
    CAP_MAC_OVERRIDE(32),
    CAP_MAC_ADMIN(33),
    CAP_SYSLOG(34),
    CAP_WAKE_ALARM(35),
    CAP_BLOCK_SUSPEND(36),
    CAP_AUDIT_READ(37),
    CAP_PERFMON(38),
    CAP_BPF(39),
    CAP_CHECKPOINT_RESTORE(40);

    private final int number;

    Capability(int number) {
        this.number = number;
    }

    /** Returns the bit number of the capability. */
    public int number() {
        return number;
    }

    /** Returns the mask with only this capability's bit set. */
    public long bit() {
        return 1L << number;
    }

    /** Returns the short lower-case name that capability lists use, such as {@code sys_admin}. */
    public String shortName() {
        return name().substring(4).toLowerCase(Locale.ROOT);
    }

    /**
     * Returns the capability with a bit number.
     *
     * @throws IllegalArgumentException for a number this enum does not name
     */
    public static Capability of(int number) {
        Capability[] all = values();
        if (number < 0 || number >= all.length) {
            throw new IllegalArgumentException("Unknown capability number " + number
                    + ": known capabilities are numbered 0 to " + (all.length - 1)
                    + "; see capabilities(7) for the list");
        }
        return all[number];
    }

    /**
     * Parses a capability name in any case, with or without the {@code CAP_} prefix:
     * {@code CAP_SYS_ADMIN}, {@code sys_admin} and {@code Sys_Admin} are the same.
     *
     * @throws IllegalArgumentException naming the text when it is not a capability name
     */
    public static Capability parse(String text) {
        String name = text.trim().toUpperCase(Locale.ROOT);
        if (!name.startsWith("CAP_")) {
            name = "CAP_" + name;
        }
        for (Capability capability : values()) {
            if (capability.name().equals(name)) {
                return capability;
            }
        }
        throw new IllegalArgumentException("Unknown capability \"" + text + "\": expected a "
                + "Linux capability name such as CAP_SYS_ADMIN or sys_admin; "
                + "see capabilities(7) for the list");
    }

    /** Returns the highest capability number the running kernel supports. */
    public static int kernelLastCap() throws SyscallException {
        return kernelLastCap(Path.of("/proc"));
    }

    /**
     * Returns the highest capability number the kernel supports, read from
     * {@code sys/kernel/cap_last_cap} under a proc root.
     */
    public static int kernelLastCap(Path procRoot) throws SyscallException {
        Path file = procRoot.resolve("sys/kernel/cap_last_cap");
        String text = KernelFiles.read(file).trim();
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("Invalid content \"" + text + "\" in " + file
                    + ": expected a capability number", e);
        }
    }
}
