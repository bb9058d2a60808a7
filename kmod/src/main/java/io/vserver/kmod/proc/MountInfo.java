package io.vserver.kmod.proc;

import io.vserver.kmod.internal.KernelFiles;
import io.vserver.kmod.libc.SyscallException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Parser of the {@code /proc/PID/mountinfo} format (see proc(5)). */
public final class MountInfo {

    private MountInfo() {
    }

    /** Reads and parses a mountinfo file, such as {@code /proc/self/mountinfo}. */
    public static List<MountEntry> read(Path file) throws SyscallException {
        return parse(KernelFiles.read(file), file.toString());
    }

    /**
     * Parses mountinfo text, one mount a line.
     *
     * @param source where the text came from, for error messages
     * @throws IllegalArgumentException naming the source and line when a line is malformed
     */
    public static List<MountEntry> parse(String text, String source) {
        List<MountEntry> entries = new ArrayList<>();
        String[] lines = text.split("\n");
        for (int index = 0; index < lines.length; index++) {
            String line = lines[index];
            if (line.isBlank()) {
                continue;
            }
            try {
                entries.add(parseLine(line));
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("Invalid mountinfo line " + (index + 1)
                        + " in " + source + ": \"" + line + "\": expected \"ID PARENT MAJ:MIN "
                        + "ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - TYPE SOURCE SUPEROPTIONS\"", e);
            }
        }
        return entries;
    }

    private static MountEntry parseLine(String line) {
        String[] fields = line.trim().split(" ");
        int separator = Arrays.asList(fields).indexOf("-");
        if (separator < 6 || fields.length < separator + 3) {
            throw new IllegalArgumentException("missing fields");
        }
        List<String> optional = Arrays.asList(fields).subList(6, separator);
        String superOptions = fields.length > separator + 3 ? fields[separator + 3] : "";
        return new MountEntry(
                Integer.parseInt(fields[0]),
                Integer.parseInt(fields[1]),
                fields[2],
                unescape(fields[3]),
                unescape(fields[4]),
                splitOptions(fields[5]),
                optional,
                unescape(fields[separator + 1]),
                unescape(fields[separator + 2]),
                splitOptions(superOptions));
    }

    private static List<String> splitOptions(String options) {
        return options.isEmpty() ? List.of() : List.of(options.split(","));
    }

    /**
     * Decodes the three-digit octal escapes the kernel writes for space, tab, newline and
     * backslash.
     */
    static String unescape(String field) {
        if (field.indexOf('\\') < 0) {
            return field;
        }
        StringBuilder decoded = new StringBuilder(field.length());
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && isOctal(field, i + 1)) {
                decoded.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                decoded.append(c);
            }
        }
        return decoded.toString();
    }

    private static boolean isOctal(String field, int start) {
        if (start + 3 > field.length()) {
            return false;
        }
        for (int i = start; i < start + 3; i++) {
            char c = field.charAt(i);
            if (c < '0' || c > '7') {
                return false;
            }
        }
        return true;
    }
}
