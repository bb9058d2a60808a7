package io.vserver.host.internal;

import static org.junit.Assert.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.Test;

import io.vserver.api.GuestSpec;
import io.vserver.api.UpdateOutcome;

public class SettingsUpdateTest {

    @Test
    public void restartKeysKeepRunningValues() {
        GuestSpec current = new GuestSpec("web1", 7, List.of(), Map.of("limits.memory", "1G", "network.mode", "bind",
                "limits.rlimit.nofile", "1024"), Map.of("limits.memory", "guest", "network.mode", "policy web"));
        GuestSpec updated = new GuestSpec("web1", 7, List.of(), Map.of("limits.memory", "512M", "network.mode",
                "isolated", "limits.rlimit.core", "0"), Map.of("limits.memory", "guest", "network.mode", "guest"));

        GuestSpec running = SettingsUpdate.runningSpec(current, updated, Map.of(
                "limits.memory", UpdateOutcome.APPLIED,
                "network.mode", UpdateOutcome.NEEDS_RESTART,
                "limits.rlimit.nofile", UpdateOutcome.NEEDS_RESTART,
                "limits.rlimit.core", UpdateOutcome.NEEDS_RESTART));

        assertEquals(Map.of("limits.memory", "512M", "network.mode", "bind", "limits.rlimit.nofile", "1024"),
                running.settings());
        assertEquals("policy web", running.sources().get("network.mode"));
        assertEquals(7, running.xid());
    }
}
