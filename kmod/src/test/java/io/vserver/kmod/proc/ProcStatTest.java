package io.vserver.kmod.proc;

import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class ProcStatTest {

    static final String CAT_STAT = "11228 (cat) R 11226 11226 2994 0 -1 4194304 100 0 0 0 7 3 "
            + "0 0 20 0 1 0 82058 3133440 411 18446744073709551615 94557031804928 "
            + "94557031824809 140722241123152 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 94557031840816 "
            + "94557031842432 94558060580864 140722241125090 140722241125110 140722241125110 "
            + "140722241126379 0\n";

    @Test
    public void parsesFieldsOfPlainLine() {
        ProcStat stat = ProcStat.parse(CAT_STAT, 4096, "/proc/11228/stat");

        assertEquals(11228, stat.pid());
        assertEquals("cat", stat.comm());
        assertEquals('R', stat.state());
        assertEquals(11226, stat.ppid());
        assertEquals(11226, stat.pgrp());
        assertEquals(2994, stat.session());
        assertEquals(7, stat.utime());
        assertEquals(3, stat.stime());
        assertEquals(1, stat.numThreads());
        assertEquals(82058, stat.startTime());
        assertEquals(3133440, stat.vsize());
        assertEquals(411, stat.rssPages());
        assertEquals(411 * 4096L, stat.rssBytes());
        assertEquals(new ProcessIdentity(11228, 82058), stat.identity());
        assertFalse(stat.isZombie());
    }

    @Test
    public void commWithSpacesAndParentheses() {
        String text = CAT_STAT.replace("(cat) R", "(a) (b c)) Z");
        ProcStat stat = ProcStat.parse(text, 65536, "/proc/11228/stat");

        assertEquals("a) (b c)", stat.comm());
        assertEquals('Z', stat.state());
        assertTrue(stat.isZombie());
        assertEquals(11226, stat.ppid());
        assertEquals(82058, stat.startTime());
        assertEquals(411 * 65536L, stat.rssBytes());
    }

    @Test
    public void truncatedLineNamesSource() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProcStat.parse("12 (x) S 1 2 3", 4096, "/proc/12/stat"));
        assertTrue(e.getMessage(), e.getMessage().startsWith("Invalid content of /proc/12/stat"));
    }

    @Test
    public void lineWithoutCommIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> ProcStat.parse("12 x S 1 2 3", 4096, "/proc/12/stat"));
    }
}
