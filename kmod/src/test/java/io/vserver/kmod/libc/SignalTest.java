package io.vserver.kmod.libc;

import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class SignalTest {

    @Test
    public void parseAcceptsNameWithOrWithoutPrefix() {
        assertEquals(Signal.SIGTERM, Signal.parse("SIGTERM"));
        assertEquals(Signal.SIGTERM, Signal.parse("TERM"));
        assertEquals(Signal.SIGTERM, Signal.parse("term"));
        assertEquals(Signal.SIGTERM, Signal.parse("SigTerm"));
        assertEquals(Signal.SIGHUP, Signal.parse(" hup "));
        assertEquals(Signal.SIGPWR, Signal.parse("PWR"));
    }

    @Test
    public void parseAcceptsNumbers() {
        assertEquals(Signal.SIGKILL, Signal.parse("9"));
        assertEquals(Signal.SIGTERM, Signal.parse("15"));
        assertEquals(64, Signal.parse("64").number());
        assertEquals(32, Signal.parse("SIG32").number());
    }

    @Test
    public void parseAcceptsRealTimeOffsets() {
        assertEquals(Signal.SYSTEMD_HALT, Signal.parse("SIGRTMIN+3"));
        assertEquals(37, Signal.parse("rtmin+3").number());
        assertEquals(34, Signal.parse("RTMIN").number());
        assertEquals(64, Signal.parse("SIGRTMAX").number());
        assertEquals(63, Signal.parse("RTMAX-1").number());
    }

    @Test
    public void namesFollowKillList() {
        assertEquals("SIGTERM", Signal.SIGTERM.name());
        assertEquals("TERM", Signal.SIGTERM.shortName());
        assertEquals("SIGRTMIN+3", Signal.of(37).name());
        assertEquals("SIGRTMIN+15", Signal.of(49).name());
        assertEquals("SIGRTMAX-14", Signal.of(50).name());
        assertEquals("SIGRTMAX", Signal.of(64).name());
        assertEquals("SIGIO", Signal.of(29).name());
        assertEquals("SIG32", Signal.of(32).name());
    }

    @Test
    public void everyNameParsesBackToItsNumber() {
        for (int number = 1; number <= 64; number++) {
            Signal signal = Signal.of(number);
            assertEquals(signal.name(), number, Signal.parse(signal.name()).number());
            assertEquals(signal.shortName(), number, Signal.parse(signal.shortName()).number());
        }
    }

    @Test
    public void parseRejectsUnknownNameWithValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Signal.parse("SIGFOO"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("Invalid signal \"SIGFOO\""));
        assertTrue(e.getMessage(), e.getMessage().contains("signal(7)"));
    }

    @Test
    public void parseRejectsOutOfRangeValues() {
        for (String text : new String[] {"0", "65", "99999999999", "RTMIN+31", "RTMAX+1",
                "RTMIN-1", "RTMIN+", "", "SIG"}) {
            assertThrows(text, IllegalArgumentException.class, () -> Signal.parse(text));
        }
    }
}
