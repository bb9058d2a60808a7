package io.vserver.host.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.junit.Test;

import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.VServerException;

public class XidAllocatorTest {

    @Test
    public void firstXidIsTwo() throws Exception {
        assertEquals(2, XidAllocator.allocate(Map.of()));
    }

    @Test
    public void lowestFreeXidIsAllocated() throws Exception {
        assertEquals(3, XidAllocator.allocate(Map.of("a", 2, "b", 4)));
        assertEquals(5, XidAllocator.allocate(Map.of("a", 2, "b", 3, "c", 4)));
    }

    @Test
    public void exhaustedRangeIsReported() {
        Map<String, Integer> used = new HashMap<>();
        for (int xid = 2; xid <= 49151; xid++) {
            used.put("g" + xid, xid);
        }

        VServerException e = assertThrows(VServerException.class, () -> XidAllocator.allocate(used));

        assertTrue(e.getMessage(), e.getMessage().contains("no free context id"));
    }

    @Test
    public void duplicateXidIsRejected() {
        InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                () -> XidAllocator.checkUnique("web2", 42, Map.of("web1", 42)));

        assertEquals("context", e.key());
        assertTrue(e.getMessage(), e.getMessage().contains("guest web1"));
    }

    @Test
    public void ownXidIsNotDuplicate() throws Exception {
        XidAllocator.checkUnique("web1", 42, Map.of("web1", 42, "web2", 43));
    }
}
