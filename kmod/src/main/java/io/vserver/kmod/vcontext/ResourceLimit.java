package io.vserver.kmod.vcontext;

import io.vserver.kmod.libc.Rlimit;

/**
 * One resource limit for a guest process, as {@code --rlimit NAME=SOFT:HARD} gives it to
 * vcontext. Values are in the unit of setrlimit(2): bytes, seconds ({@code cpu}),
 * microseconds ({@code rttime}) or counts; {@link #UNLIMITED} is {@code RLIM_INFINITY}.
 *
 * @param resource the resource
 * @param soft     the soft limit, at most {@code hard} (compared unsigned)
 * @param hard     the hard limit
 */
public record ResourceLimit(RlimitResource resource, long soft, long hard) {

    /** {@code RLIM_INFINITY}: no limit. */
    public static final long UNLIMITED = Rlimit.UNLIMITED;

    /** Checks that the resource is given and the soft limit does not exceed the hard limit. */
    public ResourceLimit {
        if (resource == null) {
            throw new IllegalArgumentException("Missing resource of a resource limit");
        }
        if (Long.compareUnsigned(soft, hard) > 0) {
            throw new IllegalArgumentException("Invalid resource limit " + resource.shortName()
                    + ": soft limit " + format(soft) + " exceeds hard limit " + format(hard));
        }
    }

    /** Returns the limit with the same soft and hard value. */
    public static ResourceLimit of(RlimitResource resource, long value) {
        return new ResourceLimit(resource, value, value);
    }

    /**
     * Parses {@code NAME=SOFT[:HARD]}, where each value is a decimal number or
     * {@code unlimited}, and HARD defaults to SOFT.
     *
     * @throws IllegalArgumentException naming the text when it has another form
     */
    public static ResourceLimit parse(String text) {
        int equals = text.indexOf('=');
        if (equals <= 0) {
            throw invalid(text, null);
        }
        RlimitResource resource = RlimitResource.parse(text.substring(0, equals));
        String values = text.substring(equals + 1);
        int colon = values.indexOf(':');
        try {
            long soft = parseValue(colon < 0 ? values : values.substring(0, colon));
            long hard = colon < 0 ? soft : parseValue(values.substring(colon + 1));
            return new ResourceLimit(resource, soft, hard);
        } catch (NumberFormatException e) {
            throw invalid(text, e);
        }
    }

    private static long parseValue(String text) {
        if (text.equals("unlimited")) {
            return UNLIMITED;
        }
        if (text.isEmpty() || text.charAt(0) == '+' || text.charAt(0) == '-') {
            throw new NumberFormatException("expected digits");
        }
        long value = Long.parseUnsignedLong(text);
        if (value == UNLIMITED) {
            throw new NumberFormatException("write RLIM_INFINITY as unlimited");
        }
        return value;
    }

    private static IllegalArgumentException invalid(String text, Throwable cause) {
        return new IllegalArgumentException("Invalid resource limit \"" + text
                + "\": expected NAME=SOFT[:HARD] with decimal values or unlimited, such as "
                + "nofile=1024:4096", cause);
    }

    private static String format(long value) {
        return value == UNLIMITED ? "unlimited" : Long.toUnsignedString(value);
    }

    /** Returns the argument of {@code --rlimit}, such as {@code nofile=1024:4096}. */
    public String toArgument() {
        return resource.shortName() + "=" + format(soft) + ":" + format(hard);
    }

    @Override
    public String toString() {
        return toArgument();
    }
}
