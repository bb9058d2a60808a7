package io.vserver.kmod.vcontext;

import java.util.Locale;

/** The seccomp mode of a guest's processes, vcontext's option {@code --seccomp}. */
public enum Seccomp {

    /**
     * The default filter: the syscalls that change host-wide kernel state (keyrings, kernel
     * modules, bpf, perf_event_open, open_by_handle_at, swap, clocks, acct, quotas) fail with
     * EPERM, and so does every syscall of a foreign ABI such as x32 or i386.
     */
    DEFAULT,

    /** No seccomp filter of vcontext's own. */
    UNCONFINED;

    /** Returns the value of {@code --seccomp}: {@code default} or {@code unconfined}. */
    public String option() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Returns the mode of an option value, in any case.
     *
     * @throws IllegalArgumentException if the value is neither {@code default} nor {@code unconfined}
     */
    public static Seccomp parse(String value) {
        for (Seccomp mode : values()) {
            if (mode.option().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return mode;
            }
        }
        throw new IllegalArgumentException("Invalid seccomp mode \"" + value + "\": expected default or unconfined");
    }
}
