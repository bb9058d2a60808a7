package io.vserver.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.karaf.shell.support.CommandException;
import org.junit.Test;

import io.vserver.api.GuestNotFoundException;
import io.vserver.api.GuestState;
import io.vserver.api.GuestStateException;

public class BatchOperationTest {

    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @Test
    public void summaryNamesFailedGuests() {
        assertEquals("failed to stop 2 of 3 guests: web1, db1",
                BatchOperation.summary("stop", 3, List.of("web1", "db1")));
        assertEquals("failed to start 1 of 1 guest: web1", BatchOperation.summary("start", 1, List.of("web1")));
    }

    @Test
    public void allSucceedFinishesQuietly() throws Exception {
        List<String> applied = new ArrayList<>();
        BatchOperation batch = new BatchOperation("start");

        batch.run(List.of("web1", "web2"), applied::add);
        batch.finish(err);

        assertEquals(List.of("web1", "web2"), applied);
        assertEquals("", errOutput());
    }

    @Test
    public void failureDoesNotStopBatch() throws CommandException {
        List<String> applied = new ArrayList<>();
        BatchOperation batch = new BatchOperation("start");

        batch.run(List.of("web1", "web2", "web3", "web4"), name -> {
            applied.add(name);
            if (name.equals("web2")) {
                throw new GuestNotFoundException(name);
            }
            if (name.equals("web3")) {
                throw new IllegalStateException("element fs failed");
            }
        });

        assertEquals(List.of("web1", "web2", "web3", "web4"), applied);
        assertEquals(List.of("web2", "web3"), List.copyOf(batch.failures().keySet()));
    }

    @Test
    public void finishReportsEveryFailure() throws CommandException {
        BatchOperation batch = new BatchOperation("stop");
        GuestStateException notRunning = new GuestStateException("guest db1 is not running", GuestState.STOPPED);
        batch.run(List.of("web1", "db1", "web2"), name -> {
            if (name.equals("web1")) {
                throw new GuestNotFoundException(name);
            }
            if (name.equals("db1")) {
                throw notRunning;
            }
        });

        CommandException summary = assertThrows(CommandException.class, () -> batch.finish(err));

        assertEquals("failed to stop 2 of 3 guests: web1, db1", summary.getMessage());
        assertEquals(2, summary.getSuppressed().length);
        assertSame(notRunning, summary.getSuppressed()[1]);
        String[] lines = errOutput().split("\n");
        assertEquals(2, lines.length);
        assertTrue(lines[0], lines[0].startsWith("web1: guest web1 not found"));
        assertEquals("db1: guest db1 is not running", lines[1]);
    }

    @Test
    public void singleGuestFailureCarriesMessage() throws CommandException {
        BatchOperation batch = new BatchOperation("start");
        batch.run(List.of("web1"), name -> {
            throw new GuestNotFoundException(name);
        });

        CommandException e = assertThrows(CommandException.class, () -> batch.finish(err));

        assertTrue(e.getMessage(), e.getMessage().startsWith("failed to start web1: guest web1 not found"));
        assertTrue(e.getCause() instanceof GuestNotFoundException);
        assertEquals("", errOutput());
    }

    @Test
    public void repeatedNameRunsOnce() throws Exception {
        List<String> applied = new ArrayList<>();
        BatchOperation batch = new BatchOperation("restart");

        batch.run(List.of("web1", "web2", "web1"), applied::add);
        batch.finish(err);

        assertEquals(List.of("web1", "web2"), applied);
    }

    @Test
    public void optionAfterNameRejectsBatch() {
        List<String> applied = new ArrayList<>();
        BatchOperation batch = new BatchOperation("stop");

        CommandException e = assertThrows(CommandException.class,
                () -> batch.run(List.of("web1", "--timeout", "5"), applied::add));

        assertEquals(List.of(), applied);
        assertTrue(e.getMessage(), e.getMessage().contains("'--timeout' is not a guest name"));
        assertTrue(e.getMessage(), e.getMessage().contains("vserver:stop OPTIONS NAME..."));
    }

    private String errOutput() {
        return errBytes.toString(StandardCharsets.UTF_8);
    }
}
