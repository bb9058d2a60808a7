package io.vserver.host.internal;

import static org.junit.Assert.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.Test;

public class GuestStatusesTest {

    @Test
    public void unconfinedSeccompIsFlagged() {
        assertEquals(List.of("seccomp=unconfined"), GuestStatuses.flags(Map.of("security.seccomp", "unconfined")));
        assertEquals(List.of("seccomp=unconfined"), GuestStatuses.flags(Map.of("security.seccomp", " Unconfined")));
    }

    @Test
    public void defaultSeccompIsNotFlagged() {
        assertEquals(List.of(), GuestStatuses.flags(Map.of()));
        assertEquals(List.of(), GuestStatuses.flags(Map.of("security.seccomp", "default")));
    }

    @Test
    public void flagsKeepTheirOrder() {
        assertEquals(List.of("privileged", "network=host", "seccomp=unconfined"), GuestStatuses.flags(Map.of(
                "capabilities.profile", "privileged", "network.mode", "host", "security.seccomp", "unconfined")));
    }
}
