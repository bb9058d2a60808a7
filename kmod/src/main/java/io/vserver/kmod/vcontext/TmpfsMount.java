package io.vserver.kmod.vcontext;

/**
 * A tmpfs mounted inside the guest ({@code --tmpfs TARGET[:SIZE]}).
 *
 * @param target    the absolute path inside the guest, without ':'
 * @param sizeBytes the size limit in bytes, or {@link #DEFAULT_SIZE} for the kernel's default
 *                  of half the RAM
 */
public record TmpfsMount(String target, long sizeBytes) {

    /** The size that leaves the limit to the kernel: half of the RAM. */
    public static final long DEFAULT_SIZE = 0;

    /** Checks the target and that the size is not negative. */
    public TmpfsMount {
        GuestPaths.checkGuestPath(target, "tmpfs target");
        GuestPaths.checkNoColon(target, "tmpfs target");
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("Invalid size " + sizeBytes + " of tmpfs " + target
                    + ": expected bytes, or 0 for the kernel's default");
        }
    }

    /** Returns the argument of {@code --tmpfs}, such as {@code /tmp:67108864}. */
    public String toArgument() {
        return sizeBytes == DEFAULT_SIZE ? target : target + ":" + sizeBytes;
    }
}
