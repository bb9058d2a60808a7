package io.vserver.shell.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

import io.vserver.api.GuestState;
import io.vserver.api.GuestStatus;

/**
 * Formats durations, sizes and lists for table cells.
 */
final class DisplayFormats {

    private static final String[] BINARY_UNITS = {"K", "M", "G", "T", "P"};

    private DisplayFormats() {
    }

    /**
     * Formats an uptime with its two largest units: {@code 42s}, {@code 5m07s}, {@code 2h03m},
     * {@code 3d04h}. A negative duration, which a clock step can produce, is shown as {@code 0s}.
     */
    static String uptime(Duration duration) {
        long seconds = Math.max(0, duration.getSeconds());
        long minutes = seconds / 60;
        long hours = minutes / 60;
        long days = hours / 24;
        if (minutes == 0) {
            return seconds + "s";
        }
        if (hours == 0) {
            return String.format(Locale.ROOT, "%dm%02ds", minutes, seconds % 60);
        }
        if (days == 0) {
            return String.format(Locale.ROOT, "%dh%02dm", hours, minutes % 60);
        }
        return String.format(Locale.ROOT, "%dd%02dh", days, hours % 24);
    }

    /**
     * Formats the uptime of a guest whose init runs, or returns an empty string when the guest
     * has no running init.
     */
    static String uptime(GuestStatus status, Instant now) {
        boolean initRuns = status.state() == GuestState.RUNNING || status.state() == GuestState.STOPPING;
        if (!initRuns || status.startedAt() == null) {
            return "";
        }
        return uptime(Duration.between(status.startedAt(), now));
    }

    /**
     * Formats a size in bytes with binary units (1K = 1024 bytes): {@code 512B}, {@code 4.0K},
     * {@code 12.3M}, {@code 1.5G}.
     */
    static String size(long bytes) {
        if (bytes < 1024) {
            return Math.max(0, bytes) + "B";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f%s", value, BINARY_UNITS[unit]);
    }

    /** Joins list items with ", ", or returns an empty string for an empty or null list. */
    static String join(List<String> items) {
        return items == null ? "" : String.join(", ", items);
    }
}
