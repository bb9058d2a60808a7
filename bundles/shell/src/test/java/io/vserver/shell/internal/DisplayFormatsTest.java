package io.vserver.shell.internal;

import static org.junit.Assert.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.Test;

import io.vserver.api.GuestState;
import io.vserver.api.GuestStatus;

public class DisplayFormatsTest {

    private static final Instant NOW = Instant.parse("2026-01-02T10:00:00Z");

    @Test
    public void uptimeSecondsOnly() {
        assertEquals("0s", DisplayFormats.uptime(Duration.ZERO));
        assertEquals("59s", DisplayFormats.uptime(Duration.ofSeconds(59)));
    }

    @Test
    public void uptimeMinutesWithSeconds() {
        assertEquals("1m00s", DisplayFormats.uptime(Duration.ofSeconds(60)));
        assertEquals("5m07s", DisplayFormats.uptime(Duration.ofSeconds(5 * 60 + 7)));
        assertEquals("59m59s", DisplayFormats.uptime(Duration.ofSeconds(3599)));
    }

    @Test
    public void uptimeHoursWithMinutes() {
        assertEquals("1h00m", DisplayFormats.uptime(Duration.ofHours(1)));
        assertEquals("2h03m", DisplayFormats.uptime(Duration.ofMinutes(123).plusSeconds(59)));
        assertEquals("23h59m", DisplayFormats.uptime(Duration.ofDays(1).minusSeconds(1)));
    }

    @Test
    public void uptimeDaysWithHours() {
        assertEquals("1d00h", DisplayFormats.uptime(Duration.ofDays(1)));
        assertEquals("3d04h", DisplayFormats.uptime(Duration.ofDays(3).plusHours(4).plusMinutes(59)));
        assertEquals("400d00h", DisplayFormats.uptime(Duration.ofDays(400)));
    }

    @Test
    public void uptimeNegativeIsZero() {
        assertEquals("0s", DisplayFormats.uptime(Duration.ofSeconds(-5)));
    }

    @Test
    public void uptimeOfRunningGuest() {
        GuestStatus running = status(GuestState.RUNNING, NOW.minus(Duration.ofMinutes(123)));

        assertEquals("2h03m", DisplayFormats.uptime(running, NOW));
    }

    @Test
    public void uptimeOfStoppedGuestIsEmpty() {
        assertEquals("", DisplayFormats.uptime(status(GuestState.STOPPED, null), NOW));
        assertEquals("", DisplayFormats.uptime(status(GuestState.FAILED, NOW.minusSeconds(10)), NOW));
    }

    @Test
    public void sizeUsesBinaryUnits() {
        assertEquals("0B", DisplayFormats.size(0));
        assertEquals("1023B", DisplayFormats.size(1023));
        assertEquals("1.0K", DisplayFormats.size(1024));
        assertEquals("1.5M", DisplayFormats.size(1536 * 1024));
        assertEquals("2.0G", DisplayFormats.size(2L << 30));
        assertEquals("3.0P", DisplayFormats.size(3L << 50));
        assertEquals("4096.0P", DisplayFormats.size(1L << 62));
    }

    @Test
    public void joinListsWithCommas() {
        assertEquals("", DisplayFormats.join(List.of()));
        assertEquals("", DisplayFormats.join(null));
        assertEquals("privileged, seccomp=unconfined", DisplayFormats.join(List.of("privileged", "seccomp=unconfined")));
    }

    private static GuestStatus status(GuestState state, Instant startedAt) {
        return new GuestStatus("web1", 100, state, startedAt == null ? 0 : 4242, startedAt, "host", "none", List.of(),
                List.of(), List.of(), null);
    }
}
