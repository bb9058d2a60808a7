package io.vserver.shell.internal;

import java.time.Duration;
import java.util.Locale;

import io.vserver.api.GuestStats;

/**
 * Formats the columns of {@code vserver:stat}.
 */
final class StatFormats {

    /** The text of a value the host could not read. */
    static final String UNKNOWN = "-";

    private StatFormats() {
    }

    /**
     * Formats memory use and limit as {@code USE/LIMIT}, for example {@code 12.3M/64.0M}, with
     * {@code unlimited} for no limit and {@value #UNKNOWN} for a use that could not be read.
     */
    static String memory(long useBytes, long limitBytes) {
        String use = useBytes == GuestStats.UNKNOWN ? UNKNOWN : DisplayFormats.size(useBytes);
        String limit = limitBytes == GuestStats.UNLIMITED ? "unlimited" : DisplayFormats.size(limitBytes);
        return use + "/" + limit;
    }

    /**
     * Formats CPU time as vserver-stat does: minutes, seconds and hundredths ({@code 0m01s25})
     * below one hour, else hours and minutes ({@code 3h07m}); {@value #UNKNOWN} for null.
     */
    static String cpuTime(Duration time) {
        if (time == null) {
            return UNKNOWN;
        }
        long hundredths = Math.max(0, time.toMillis()) / 10;
        long seconds = hundredths / 100;
        long minutes = seconds / 60;
        if (minutes < 60) {
            return String.format(Locale.ROOT, "%dm%02ds%02d", minutes, seconds % 60, hundredths % 100);
        }
        return String.format(Locale.ROOT, "%dh%02dm", minutes / 60, minutes % 60);
    }

    /** Formats a counter, or {@value #UNKNOWN} for {@link GuestStats#UNKNOWN}. */
    static String counter(long value) {
        return value == GuestStats.UNKNOWN ? UNKNOWN : Long.toString(value);
    }
}
