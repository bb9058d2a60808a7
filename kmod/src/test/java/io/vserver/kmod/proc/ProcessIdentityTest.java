package io.vserver.kmod.proc;

import org.junit.Test;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

public class ProcessIdentityTest {

    @Test
    public void textFormRoundTrips() {
        ProcessIdentity identity = new ProcessIdentity(4242, 1234567);
        assertEquals("4242@1234567", identity.toString());
        assertEquals(identity, ProcessIdentity.parse("4242@1234567"));
    }

    @Test
    public void malformedTextIsRejectedWithValue() {
        for (String text : new String[] {"4242", "@1", "x@1", "4242@", "0@5", "-3@5", "1@-1"}) {
            IllegalArgumentException e = assertThrows(text, IllegalArgumentException.class,
                    () -> ProcessIdentity.parse(text));
            assertEquals("Invalid process identity \"" + text
                    + "\": expected PID@STARTTIME, such as 4242@1234567", e.getMessage());
        }
    }
}
