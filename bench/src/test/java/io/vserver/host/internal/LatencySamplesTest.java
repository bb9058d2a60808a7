package io.vserver.host.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.io.StringWriter;

import org.junit.Test;

public class LatencySamplesTest {

    private static LatencySamples samples(long... millis) {
        LatencySamples samples = new LatencySamples("v");
        for (long value : millis) {
            samples.add(value * 1_000_000);
        }
        return samples;
    }

    @Test
    public void summaryOfOddCount() {
        LatencySamples.Summary summary = samples(5, 1, 4, 2, 3).summary();

        assertEquals(5, summary.count());
        assertEquals(3.0, summary.median(), 1e-9);
        assertEquals(1.0, summary.min(), 1e-9);
        assertEquals(5.0, summary.max(), 1e-9);
        assertEquals(2.0, summary.q1(), 1e-9);
        assertEquals(4.0, summary.q3(), 1e-9);
        assertEquals(3.0, summary.mean(), 1e-9);
    }

    @Test
    public void percentileInterpolates() {
        LatencySamples.Summary summary = samples(10, 20).summary();

        assertEquals(15.0, summary.median(), 1e-9);
        assertEquals(19.0, summary.p90(), 1e-9);
    }

    @Test
    public void singleSample() {
        LatencySamples.Summary summary = samples(7).summary();

        assertEquals(7.0, summary.median(), 1e-9);
        assertEquals(7.0, summary.p90(), 1e-9);
    }

    @Test
    public void emptySummaryRejected() {
        assertThrows(IllegalStateException.class, () -> new LatencySamples("v").summary());
    }

    @Test
    public void tsvMatchesTimerColumns() {
        assertEquals("v\t3\t2.000\t2.800\t1.000\t3.000\t1.500\t2.500\t2.000", samples(1, 2, 3).summary().toTsv());
    }

    @Test
    public void samplesKeepOrderBeyondCapacity() throws Exception {
        LatencySamples samples = new LatencySamples("v");
        for (int i = 0; i < 1000; i++) {
            samples.add(1000 - i);
        }
        StringWriter out = new StringWriter();

        samples.writeSamples(out);

        assertEquals(1000, samples.count());
        assertEquals(1, samples.get(999));
        assertEquals("v\t0\t1000", out.toString().lines().findFirst().orElseThrow());
    }
}
