package io.vserver.kmod.libc;

import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

public class ErrnoTest {

    @Test
    public void namesAndDescriptionsOfCommonErrnos() {
        assertEquals("EINVAL", Errno.name(Errno.EINVAL));
        assertEquals("Invalid argument", Errno.description(Errno.EINVAL));
        assertEquals("ENOENT", Errno.name(2));
        assertEquals("No such file or directory", Errno.description(2));
        assertEquals("EBUSY", Errno.name(16));
        assertEquals("Device or resource busy", Errno.description(16));
        assertEquals("EOPNOTSUPP", Errno.name(95));
        assertEquals("EDEADLK", Errno.name(35));
    }

    @Test
    public void constantsMatchTheirNames() {
        assertEquals(Errno.ESRCH, Errno.number("ESRCH"));
        assertEquals(Errno.ENOTEMPTY, Errno.number("ENOTEMPTY"));
        assertEquals(Errno.ETIMEDOUT, Errno.number("ETIMEDOUT"));
        assertEquals(Errno.EADDRINUSE, Errno.number("EADDRINUSE"));
    }

    @Test
    public void unknownNumberIsDescribedWithoutGuessing() {
        assertEquals("errno 999", Errno.name(999));
        assertEquals("Unknown error 999", Errno.description(999));
        assertEquals("errno 0", Errno.name(0));
    }

    @Test
    public void unknownNameIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Errno.number("EWHATEVER"));
    }
}
