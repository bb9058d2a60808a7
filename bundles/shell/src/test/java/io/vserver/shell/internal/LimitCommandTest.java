package io.vserver.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.support.CommandException;
import org.junit.Test;

import io.vserver.api.UpdateOutcome;

public class LimitCommandTest {

    @Test
    public void describeEachGivenKey() {
        Map<String, String> changes = new LinkedHashMap<>();
        changes.put("limits.memory", "512M");
        changes.put("limits.rlimit.nofile", "1024");

        List<String> lines = LimitCommand.describe(changes, Map.of("limits.memory", UpdateOutcome.APPLIED,
                "limits.rlimit.nofile", UpdateOutcome.NEEDS_RESTART));

        assertEquals(List.of("limits.memory: applied", "limits.rlimit.nofile: needs restart"), lines);
    }

    @Test
    public void describeUnchangedKey() {
        List<String> lines = LimitCommand.describe(Map.of("limits.pids", "100"), Map.of());

        assertEquals(List.of("limits.pids: unchanged"), lines);
    }

    @Test
    public void describeKeyChangedWithoutBeingGiven() {
        List<String> lines = LimitCommand.describe(Map.of("limits.cpu", "2"), Map.of("limits.cpu",
                UpdateOutcome.APPLIED, "policies", UpdateOutcome.NEEDS_RESTART));

        assertEquals(List.of("limits.cpu: applied", "policies: needs restart"), lines);
    }

    @Test
    public void settingWithoutEqualsRejected() {
        CommandException e = assertThrows(CommandException.class,
                () -> KeyValueOptions.parse("settings", List.of("limits.memory")));

        assertTrue(e.getMessage(), e.getMessage().contains("'limits.memory'"));
        assertTrue(e.getMessage(), e.getMessage().contains("KEY=VALUE"));
    }
}
