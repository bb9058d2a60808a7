package io.vserver.host.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vserver.kmod.proc.ProcessIdentity;

/**
 * The file {@code RUN/guests/NAME/guest.json}, written when a guest's init runs and removed
 * when the host has seen it end. A restarted host reads it to find the running guests again:
 * {@code {"xid":42,"initPid":4711,"initStartTime":123456,"monitorPid":4710,
 * "monitorStartTime":123450,"haltSignal":"SIGTERM","startedAt":1733356800000,"elements":"fs,context"}}.
 *
 * @param xid the guest's context id
 * @param init the guest's init
 * @param monitor the vcontext monitor that waits for the init
 * @param haltSignal the signal that requests the init to shut down
 * @param startedAt when the init was started
 * @param elements the names of the elements applied to the guest, in prepare order
 */
record RunStateFile(int xid, ProcessIdentity init, ProcessIdentity monitor, String haltSignal, Instant startedAt,
        List<String> elements) {

    static final String FILE_NAME = "guest.json";

    private static final Pattern MEMBER = Pattern.compile("\"(\\w+)\"\\s*:\\s*(?:\"([^\"\\\\]*)\"|(-?\\d+))");

    RunStateFile {
        elements = List.copyOf(elements);
    }

    /** Writes the file atomically (temporary file and rename) into a run directory. */
    void write(Path runDirectory) throws IOException {
        String json = "{\"xid\":" + xid
                + ",\"initPid\":" + init.pid()
                + ",\"initStartTime\":" + init.startTime()
                + ",\"monitorPid\":" + monitor.pid()
                + ",\"monitorStartTime\":" + monitor.startTime()
                + ",\"haltSignal\":\"" + haltSignal + "\""
                + ",\"startedAt\":" + startedAt.toEpochMilli()
                + ",\"elements\":\"" + String.join(",", elements) + "\"}\n";
        Path temporary = runDirectory.resolve(FILE_NAME + ".tmp");
        Files.writeString(temporary, json, StandardCharsets.UTF_8);
        Files.move(temporary, runDirectory.resolve(FILE_NAME), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Reads the file of a run directory, or returns empty when there is none.
     *
     * @throws IOException when the file cannot be read or lacks a member
     */
    static Optional<RunStateFile> read(Path runDirectory) throws IOException {
        Path file = runDirectory.resolve(FILE_NAME);
        String json;
        try {
            json = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        Map<String, String> members = new HashMap<>();
        Matcher matcher = MEMBER.matcher(json);
        while (matcher.find()) {
            members.put(matcher.group(1), matcher.group(2) != null ? matcher.group(2) : matcher.group(3));
        }
        try {
            List<String> elements = new ArrayList<>();
            for (String element : members.getOrDefault("elements", "").split(",")) {
                if (!element.isEmpty()) {
                    elements.add(element);
                }
            }
            return Optional.of(new RunStateFile(Integer.parseInt(required(members, "xid")),
                    new ProcessIdentity(Integer.parseInt(required(members, "initPid")),
                            Long.parseLong(required(members, "initStartTime"))),
                    new ProcessIdentity(Integer.parseInt(required(members, "monitorPid")),
                            Long.parseLong(required(members, "monitorStartTime"))),
                    required(members, "haltSignal"),
                    Instant.ofEpochMilli(Long.parseLong(required(members, "startedAt"))), elements));
        } catch (IllegalArgumentException e) {
            throw new IOException("invalid run state file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Removes the file of a run directory, if any. */
    static void delete(Path runDirectory) throws IOException {
        Files.deleteIfExists(runDirectory.resolve(FILE_NAME));
    }

    private static String required(Map<String, String> members, String name) {
        String value = members.get(name);
        if (value == null) {
            throw new IllegalArgumentException("missing member \"" + name + "\"");
        }
        return value;
    }
}
