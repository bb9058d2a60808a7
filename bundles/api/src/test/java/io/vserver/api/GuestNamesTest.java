package io.vserver.api;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class GuestNamesTest {

    @Test
    public void acceptsDnsLabels() {
        for (String name : new String[] {"web1", "a", "9", "db-primary", "x".repeat(63)}) {
            assertTrue(name, GuestNames.isValid(name));
        }
    }

    @Test
    public void rejectsUnsafeNames() {
        for (String name : new String[] {"", "Web1", "../x", "a/b", "-a", "a-", "a_b", "a.b", "x".repeat(64), " a"}) {
            assertFalse("'" + name + "'", GuestNames.isValid(name));
        }
        assertFalse(GuestNames.isValid(null));
    }

    @Test
    public void checkNamesValueAndForm() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> GuestNames.check("../x"));

        assertEquals("name", e.key());
        assertEquals("../x", e.value());
        assertTrue(e.getMessage(), e.getMessage().contains("'../x'"));
        assertTrue(e.getMessage(), e.getMessage().contains(GuestNames.ACCEPTED_FORM));
    }
}
