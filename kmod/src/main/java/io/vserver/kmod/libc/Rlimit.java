package io.vserver.kmod.libc;

/**
 * A soft and hard resource limit as {@code prlimit(2)} reads and writes them, where
 * {@link #UNLIMITED} is {@code RLIM_INFINITY}.
 */
public record Rlimit(long soft, long hard) {

    /** {@code RLIM_INFINITY}: no limit. */
    public static final long UNLIMITED = LibC.SysResource.RLIM_INFINITY;

    /**
     * Checks that the soft limit does not exceed the hard limit, comparing as the kernel does
     * (unsigned, so {@link #UNLIMITED} is the largest value).
     */
    public Rlimit {
        if (Long.compareUnsigned(soft, hard) > 0) {
            throw new IllegalArgumentException("Invalid resource limit " + describe(soft, hard)
                    + ": the soft limit must not exceed the hard limit");
        }
    }

    private static String describe(long soft, long hard) {
        return "soft " + format(soft) + ", hard " + format(hard);
    }

    private static String format(long value) {
        return value == UNLIMITED ? "unlimited" : Long.toUnsignedString(value);
    }

    @Override
    public String toString() {
        return describe(soft, hard);
    }
}
