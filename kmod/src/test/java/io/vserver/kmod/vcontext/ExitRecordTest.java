package io.vserver.kmod.vcontext;

import io.vserver.kmod.libc.ExitStatus;
import io.vserver.kmod.libc.Signal;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class ExitRecordTest {

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    @Test
    public void parseExitCode() {
        ExitRecord record = ExitRecord.parse("{\"pid\":4242,\"exitCode\":3,\"exitedAt\":1796425614251}\n");

        assertEquals(4242, record.pid());
        assertEquals(ExitStatus.exited(3), record.status());
        assertEquals(Instant.ofEpochMilli(1796425614251L), record.exitedAt());
    }

    @Test
    public void parseSignal() {
        ExitRecord record = ExitRecord.parse("{\"pid\":4242,\"signal\":9,\"exitedAt\":1}");

        assertEquals(ExitStatus.killed(Signal.SIGKILL, false), record.status());
    }

    @Test
    public void recordWithBothOrNeitherIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> ExitRecord.parse("{\"pid\":1,\"signal\":9,\"exitCode\":0,\"exitedAt\":1}"));
        assertThrows(IllegalArgumentException.class, () -> ExitRecord.parse("{\"pid\":1,\"exitedAt\":1}"));
    }

    @Test
    public void readFromRunDirectory() throws Exception {
        Path runDirectory = folder.getRoot().toPath();
        Files.writeString(runDirectory.resolve("exit.json"), "{\"pid\":7,\"exitCode\":0,\"exitedAt\":5}\n");

        assertEquals(new ExitRecord(7, ExitStatus.exited(0), Instant.ofEpochMilli(5)),
                VContext.readExit(runDirectory));
    }

    @Test
    public void missingRecordWhileGuestRuns() throws Exception {
        Path runDirectory = folder.getRoot().toPath();

        assertThrows(NoSuchFileException.class, () -> VContext.readExit(runDirectory));
        assertTrue(VContext.findExit(runDirectory).isEmpty());
    }

    @Test
    public void invalidRecordNamesFile() throws Exception {
        Path runDirectory = folder.getRoot().toPath();
        Files.writeString(runDirectory.resolve("exit.json"), "{\"pid\":\"seven\"}");

        IOException e = assertThrows(IOException.class, () -> VContext.readExit(runDirectory));
        assertTrue(e.getMessage(), e.getMessage().contains(runDirectory.resolve("exit.json").toString()));
    }
}
