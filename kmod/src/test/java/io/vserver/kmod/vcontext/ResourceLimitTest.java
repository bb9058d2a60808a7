package io.vserver.kmod.vcontext;

import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class ResourceLimitTest {

    @Test
    public void parseSoftAndHard() {
        assertEquals(new ResourceLimit(RlimitResource.NOFILE, 1024, 4096), ResourceLimit.parse("nofile=1024:4096"));
    }

    @Test
    public void parseSoftOnly() {
        assertEquals(ResourceLimit.of(RlimitResource.STACK, 8388608), ResourceLimit.parse("RLIMIT_STACK=8388608"));
    }

    @Test
    public void parseUnlimited() {
        ResourceLimit limit = ResourceLimit.parse("as=1048576:unlimited");

        assertEquals(ResourceLimit.UNLIMITED, limit.hard());
        assertEquals("as=1048576:unlimited", limit.toArgument());
    }

    @Test
    public void everySetrlimitNameParses() {
        for (String name : new String[] {"as", "core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue",
            "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"}) {
            assertEquals(name, RlimitResource.parse(name).shortName());
        }
    }

    @Test
    public void unknownNameIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ResourceLimit.parse("files=10"));
        assertTrue(e.getMessage(), e.getMessage().contains("\"files\""));
        assertTrue(e.getMessage(), e.getMessage().contains("nofile"));
    }

    @Test
    public void softAboveHardIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new ResourceLimit(RlimitResource.NOFILE, 10, 5));
        assertThrows(IllegalArgumentException.class, () -> ResourceLimit.parse("nofile=unlimited:5"));
    }

    @Test
    public void malformedValuesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> ResourceLimit.parse("nofile"));
        assertThrows(IllegalArgumentException.class, () -> ResourceLimit.parse("nofile=-1"));
        assertThrows(IllegalArgumentException.class, () -> ResourceLimit.parse("nofile=ten"));
        assertThrows(IllegalArgumentException.class, () -> ResourceLimit.parse("nofile=1:"));
        assertThrows(IllegalArgumentException.class, () -> ResourceLimit.parse("nofile=18446744073709551615"));
    }
}
