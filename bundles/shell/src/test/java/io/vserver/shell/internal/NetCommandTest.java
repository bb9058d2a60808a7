package io.vserver.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.karaf.shell.support.CommandException;
import org.junit.Test;

public class NetCommandTest {

    @Test
    public void shortKeysGetThePrefix() throws Exception {
        Map<String, String> pairs = new LinkedHashMap<>();
        pairs.put("address", "127.0.1.21");
        pairs.put("network.device", "");

        assertEquals(Map.of("network.address", "127.0.1.21", "network.device", ""), NetCommand.networkKeys(pairs));
    }

    @Test
    public void otherElementsKeysAreRejected() {
        CommandException e = assertThrows(CommandException.class,
                () -> NetCommand.networkKeys(Map.of("limits.memory", "1G")));
        assertTrue(e.getMessage(), e.getMessage().contains("'limits.memory' is not a network key"));
    }

    @Test
    public void bothSpellingsOfOneKeyAreRejected() {
        Map<String, String> pairs = new LinkedHashMap<>();
        pairs.put("address", "127.0.1.21");
        pairs.put("network.address", "127.0.1.22");

        CommandException e = assertThrows(CommandException.class, () -> NetCommand.networkKeys(pairs));
        assertTrue(e.getMessage(), e.getMessage().contains("given twice"));
    }
}
