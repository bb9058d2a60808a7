package io.vserver.shell.internal;

import static org.junit.Assert.assertEquals;

import java.time.Duration;

import org.junit.Test;

import io.vserver.api.GuestStats;

public class StatFormatsTest {

    @Test
    public void memoryUseAndLimit() {
        assertEquals("12.0M/64.0M", StatFormats.memory(12L << 20, 64L << 20));
    }

    @Test
    public void memoryWithoutLimit() {
        assertEquals("512B/unlimited", StatFormats.memory(512, GuestStats.UNLIMITED));
    }

    @Test
    public void memoryUseUnknown() {
        assertEquals("-/unlimited", StatFormats.memory(GuestStats.UNKNOWN, GuestStats.UNLIMITED));
    }

    @Test
    public void cpuTimeBelowOneHour() {
        assertEquals("0m00s00", StatFormats.cpuTime(Duration.ZERO));
        assertEquals("0m01s25", StatFormats.cpuTime(Duration.ofMillis(1259)));
        assertEquals("59m59s99", StatFormats.cpuTime(Duration.ofHours(1).minusMillis(1)));
    }

    @Test
    public void cpuTimeHoursAndMinutes() {
        assertEquals("1h00m", StatFormats.cpuTime(Duration.ofHours(1)));
        assertEquals("30h07m", StatFormats.cpuTime(Duration.ofHours(30).plusMinutes(7).plusSeconds(59)));
    }

    @Test
    public void cpuTimeUnknown() {
        assertEquals("-", StatFormats.cpuTime(null));
    }

    @Test
    public void counterKnownAndUnknown() {
        assertEquals("0", StatFormats.counter(0));
        assertEquals("17", StatFormats.counter(17));
        assertEquals("-", StatFormats.counter(GuestStats.UNKNOWN));
    }
}
