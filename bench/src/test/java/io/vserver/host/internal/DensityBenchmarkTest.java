package io.vserver.host.internal;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class DensityBenchmarkTest {

    private static long[] millis(long... values) {
        long[] nanos = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            nanos[i] = values[i] * 1_000_000;
        }
        return nanos;
    }

    @Test
    public void movingMedianIgnoresOneOutlier() {
        long[] latencies = millis(10, 10, 10, 500, 10, 10, 10);

        assertEquals(10.0, DensityBenchmark.movingMedian(latencies, 3), 1e-9);
    }

    @Test
    public void movingMedianShrinksAtEnds() {
        long[] latencies = new long[100];
        for (int i = 0; i < latencies.length; i++) {
            latencies[i] = (i + 1) * 1_000_000L;
        }

        // The window of index 0 is indexes 0 to 12, of index 99 indexes 87 to 99.
        assertEquals(7.0, DensityBenchmark.movingMedian(latencies, 0), 1e-9);
        assertEquals(94.0, DensityBenchmark.movingMedian(latencies, 99), 1e-9);
        assertEquals(51.0, DensityBenchmark.movingMedian(latencies, 50), 1e-9);
    }
}
