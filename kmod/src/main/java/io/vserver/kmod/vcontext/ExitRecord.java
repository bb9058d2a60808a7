package io.vserver.kmod.vcontext;

import io.vserver.kmod.internal.FlatJson;
import io.vserver.kmod.libc.ExitStatus;
import io.vserver.kmod.libc.Signal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The exit record of a guest's init, which the vcontext monitor writes to
 * {@code RUN_DIR/exit.json}:
 * {@code {"pid":N,"exitCode":N,"exitedAt":MILLIS}}, or with {@code "signal":N} in place of
 * {@code exitCode}.
 *
 * @param pid      the init's pid as the host saw it
 * @param status   the exit code, or the signal that killed the init (core dumps are not recorded)
 * @param exitedAt when the monitor reaped the init, to the millisecond
 */
public record ExitRecord(int pid, ExitStatus status, Instant exitedAt) {

    /** The file name of the record inside the run directory. */
    public static final String FILE_NAME = "exit.json";

    /**
     * Reads the record of a run directory.
     *
     * @throws NoSuchFileException while the guest runs, because the monitor writes the file only
     *                             when the init has ended
     * @throws IOException         if the file cannot be read or is not a valid record
     */
    public static ExitRecord read(Path runDirectory) throws IOException {
        Path file = runDirectory.resolve(FILE_NAME);
        String text = Files.readString(file, StandardCharsets.UTF_8);
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IOException("Invalid exit record " + file + ": " + e.getMessage(), e);
        }
    }

    /** Reads the record of a run directory, or returns empty when there is none yet. */
    public static Optional<ExitRecord> find(Path runDirectory) throws IOException {
        try {
            return Optional.of(read(runDirectory));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Parses the JSON text of a record.
     *
     * @throws IllegalArgumentException naming the member that is missing or invalid
     */
    public static ExitRecord parse(String json) {
        Map<String, Object> record = FlatJson.parseObject(json.trim());
        int pid = FlatJson.requireInt(record, "pid");
        Instant exitedAt = Instant.ofEpochMilli(FlatJson.requireLong(record, "exitedAt"));
        boolean hasExitCode = record.containsKey("exitCode");
        boolean hasSignal = record.containsKey("signal");
        if (hasExitCode == hasSignal) {
            throw new IllegalArgumentException("Expected exactly one of \"exitCode\" and \"signal\" "
                    + "in exit record " + record);
        }
        ExitStatus status = hasExitCode
                ? ExitStatus.exited(FlatJson.requireInt(record, "exitCode"))
                : ExitStatus.killed(Signal.of(FlatJson.requireInt(record, "signal")), false);
        return new ExitRecord(pid, status, exitedAt);
    }
}
