package io.vserver.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.List;
import java.util.Map;

import org.apache.karaf.shell.support.CommandException;
import org.junit.Test;

public class KeyValueOptionsTest {

    @Test
    public void parseKeepsOrder() throws CommandException {
        Map<String, String> pairs = KeyValueOptions.parse("--set", List.of("limits.memory=512M", "hostname=web"));

        assertEquals(List.of("limits.memory", "hostname"), List.copyOf(pairs.keySet()));
        assertEquals("512M", pairs.get("limits.memory"));
        assertEquals("web", pairs.get("hostname"));
    }

    @Test
    public void parseSplitsAtFirstEquals() throws CommandException {
        Map<String, String> pairs = KeyValueOptions.parse("--set", List.of("init=/bin/env A=1 /bin/sh"));

        assertEquals("/bin/env A=1 /bin/sh", pairs.get("init"));
    }

    @Test
    public void parseAcceptsEmptyValue() throws CommandException {
        Map<String, String> pairs = KeyValueOptions.parse("--set", List.of("capabilities.add="));

        assertEquals("", pairs.get("capabilities.add"));
    }

    @Test
    public void parseAbsentOptionIsEmpty() throws CommandException {
        assertTrue(KeyValueOptions.parse("--set", null).isEmpty());
    }

    @Test
    public void parseRejectsMissingEquals() {
        CommandException e = assertThrows(CommandException.class,
                () -> KeyValueOptions.parse("--set", List.of("image=host", "hostname")));

        assertTrue(e.getMessage(), e.getMessage().contains("'hostname'"));
        assertTrue(e.getMessage(), e.getMessage().contains("--set"));
        assertTrue(e.getMessage(), e.getMessage().contains("KEY=VALUE"));
    }

    @Test
    public void parseRejectsEmptyKey() {
        CommandException e = assertThrows(CommandException.class,
                () -> KeyValueOptions.parse("--set", List.of("=host")));

        assertTrue(e.getMessage(), e.getMessage().contains("'=host'"));
        assertTrue(e.getMessage(), e.getMessage().contains("KEY=VALUE"));
    }

    @Test
    public void parseRejectsRepeatedKey() {
        CommandException e = assertThrows(CommandException.class,
                () -> KeyValueOptions.parse("--set", List.of("limits.pids=10", "limits.pids=20")));

        assertTrue(e.getMessage(), e.getMessage().contains("'limits.pids'"));
        assertTrue(e.getMessage(), e.getMessage().contains("'10'"));
        assertTrue(e.getMessage(), e.getMessage().contains("'20'"));
    }
}
