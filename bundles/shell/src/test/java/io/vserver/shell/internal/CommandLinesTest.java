package io.vserver.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import java.util.List;

import org.apache.karaf.shell.support.CommandException;
import org.junit.Test;

public class CommandLinesTest {

    @Test
    public void commandWithoutSeparatorIsKept() throws CommandException {
        assertEquals(List.of("ls", "-l", "--", "/"), CommandLines.withoutSeparator(List.of("ls", "-l", "--", "/")));
    }

    @Test
    public void leadingSeparatorIsRemoved() throws CommandException {
        assertEquals(List.of("ls", "-l"), CommandLines.withoutSeparator(List.of("--", "ls", "-l")));
    }

    @Test
    public void separatorAloneIsRejected() {
        assertThrows(CommandException.class, () -> CommandLines.withoutSeparator(List.of("--")));
    }
}
