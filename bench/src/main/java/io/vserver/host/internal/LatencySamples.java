package io.vserver.host.internal;

import java.io.IOException;
import java.io.Writer;
import java.util.Arrays;
import java.util.Locale;

/**
 * The latency samples of one benchmark variant, in nanoseconds, and their summary in the
 * column layout of {@code bench/src/main/c/timer.c}, so that one report script reads both.
 */
final class LatencySamples {

    /**
     * The summary of a variant in milliseconds. Percentiles interpolate linearly between the
     * closest ranks, as the C timer computes them.
     */
    record Summary(String name, int count, double median, double p90, double min, double max, double q1,
            double q3, double mean) {

        /** Formats the summary as one tab-separated line: name, count, median, p90, min, max, q1, q3, mean. */
        String toTsv() {
            return String.format(Locale.ROOT, "%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f\t%.3f", name, count, median,
                    p90, min, max, q1, q3, mean);
        }
    }

    private final String name;
    private long[] nanos = new long[256];
    private int count;

    LatencySamples(String name) {
        this.name = name;
    }

    String name() {
        return name;
    }

    int count() {
        return count;
    }

    void add(long elapsedNanos) {
        if (count == nanos.length) {
            nanos = Arrays.copyOf(nanos, count * 2);
        }
        nanos[count++] = elapsedNanos;
    }

    /** Returns sample {@code index} in nanoseconds, in the order the samples were added. */
    long get(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("sample " + index + " of " + count);
        }
        return nanos[index];
    }

    /**
     * Summarizes the samples.
     *
     * @throws IllegalStateException when there is no sample
     */
    Summary summary() {
        if (count == 0) {
            throw new IllegalStateException("variant " + name + " has no samples to summarize");
        }
        long[] sorted = Arrays.copyOf(nanos, count);
        Arrays.sort(sorted);
        double total = 0;
        for (long sample : sorted) {
            total += sample;
        }
        return new Summary(name, count, percentile(sorted, 50), percentile(sorted, 90), sorted[0] / 1e6,
                sorted[count - 1] / 1e6, percentile(sorted, 25), percentile(sorted, 75), total / count / 1e6);
    }

    /** Returns percentile {@code p} (0 to 100) of the sorted nanosecond values, in milliseconds. */
    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0 || p < 0 || p > 100) {
            throw new IllegalArgumentException("invalid percentile " + p + " of " + sorted.length + " samples");
        }
        double rank = p / 100.0 * (sorted.length - 1);
        int below = (int) rank;
        int above = Math.min(below + 1, sorted.length - 1);
        double fraction = rank - below;
        return (sorted[below] + fraction * (sorted[above] - sorted[below])) / 1e6;
    }

    /** Writes one line per sample: the variant's name, the sample's index and its nanoseconds. */
    void writeSamples(Writer out) throws IOException {
        for (int i = 0; i < count; i++) {
            out.write(name + "\t" + i + "\t" + nanos[i] + "\n");
        }
    }
}
