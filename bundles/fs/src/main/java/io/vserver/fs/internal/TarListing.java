package io.vserver.fs.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The entries of a tar archive, from the plain and the verbose listing of GNU tar, and the
 * checks that make unpacking it safe.
 */
final class TarListing {

    /**
     * One archive entry.
     *
     * @param name the member name as tar lists it (escaped), such as {@code ./etc/passwd}
     * @param type the first character of the verbose mode: {@code -} file, {@code d} directory,
     *     {@code l} symlink, {@code h} hard link, {@code c} and {@code b} devices, {@code p} FIFO
     * @param linkTarget the target of a symlink or hard link, null for other types
     */
    record Entry(String name, char type, String linkTarget) {
    }

    /** The verbose line up to the member name: mode, owner/group, size or device numbers, date and time. */
    private static final Pattern VERBOSE = Pattern.compile(
            "^(\\S)\\S*\\s+\\S+\\s+.*?\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}(?::\\d{2})? (.*)$");

    private final List<Entry> entries;

    private TarListing(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Pairs the lines of {@code tar --list} and {@code tar --list --verbose} of one archive,
     * which list the same entries in the same order.
     *
     * @throws IOException when the two listings do not match
     */
    static TarListing parse(List<String> names, List<String> verboseLines) throws IOException {
        if (names.size() != verboseLines.size()) {
            throw new IOException("tar listed " + names.size() + " names but " + verboseLines.size()
                    + " verbose entries");
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            entries.add(entry(names.get(i), verboseLines.get(i)));
        }
        return new TarListing(entries);
    }

    private static Entry entry(String name, String verboseLine) throws IOException {
        Matcher matcher = VERBOSE.matcher(verboseLine);
        if (!matcher.matches() || !matcher.group(2).startsWith(name)) {
            throw new IOException("unexpected tar listing line for member '" + name + "': " + verboseLine);
        }
        char type = matcher.group(1).charAt(0);
        String rest = matcher.group(2).substring(name.length());
        String linkTarget = null;
        if (type == 'l' && rest.startsWith(" -> ")) {
            linkTarget = rest.substring(" -> ".length());
        } else if (type == 'h' && rest.startsWith(" link to ")) {
            linkTarget = rest.substring(" link to ".length());
        } else if (!rest.isEmpty()) {
            throw new IOException("unexpected tar listing line for member '" + name + "': " + verboseLine);
        }
        return new Entry(name, type, linkTarget);
    }

    List<Entry> entries() {
        return entries;
    }

    int size() {
        return entries.size();
    }

    /** Returns the names of the entries that unpacking leaves out: device nodes. */
    List<String> skippedNames() {
        List<String> names = new ArrayList<>();
        for (Entry entry : entries) {
            if (isDevice(entry)) {
                names.add(entry.name());
            }
        }
        return names;
    }

    /**
     * Checks that unpacking writes only inside the target directory.
     *
     * @throws IOException naming the archive and the first offending member
     */
    void check(Path archive) throws IOException {
        Map<String, Character> types = new HashMap<>();
        Set<String> symlinks = new HashSet<>();
        for (Entry entry : entries) {
            String path = checkedPath(archive, entry.name(), entry.name());
            Character earlier = types.put(path, entry.type());
            boolean isSymlink = entry.type() == 'l';
            if (earlier != null && (isSymlink || earlier == 'l') && earlier != entry.type()) {
                throw rejected(archive, entry.name(), "is both a symlink and another entry");
            }
            if (isSymlink) {
                symlinks.add(path);
            }
            if (entry.type() == 'h') {
                checkedPath(archive, entry.name(), entry.linkTarget());
            }
            // Names with escapes cannot be passed to --exclude-from literally, so a device could slip through.
            if (isDevice(entry) && entry.name().indexOf('\\') >= 0) {
                throw rejected(archive, entry.name(), "is a device node with an escaped character in its name");
            }
        }
        for (Entry entry : entries) {
            checkNotBelowSymlink(archive, entry.name(), entry.name(), symlinks);
            if (entry.type() == 'h') {
                checkNotBelowSymlink(archive, entry.name(), entry.linkTarget(), symlinks);
            }
        }
    }

    private static void checkNotBelowSymlink(Path archive, String member, String name, Set<String> symlinks)
            throws IOException {
        String path = normalize(name);
        for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', slash + 1)) {
            String ancestor = path.substring(0, slash);
            if (symlinks.contains(ancestor)) {
                throw rejected(archive, member, "is below the symlink '" + ancestor + "' of the archive, "
                        + "so unpacking would follow the symlink");
            }
        }
    }

    /** Returns the normalized path of {@code name}, rejecting absolute names and {@code ..} components. */
    private static String checkedPath(Path archive, String member, String name) throws IOException {
        if (name.startsWith("/")) {
            throw rejected(archive, member, "has an absolute path '" + name + "'");
        }
        String path = normalize(name);
        for (String component : path.split("/")) {
            if (component.equals("..")) {
                throw rejected(archive, member, "has a '..' component in '" + name + "'");
            }
        }
        return path;
    }

    /** Removes leading {@code ./}, repeated and trailing slashes and {@code .} components. */
    static String normalize(String name) {
        List<String> components = new ArrayList<>();
        for (String component : name.split("/")) {
            if (!component.isEmpty() && !component.equals(".")) {
                components.add(component);
            }
        }
        return String.join("/", components);
    }

    private static boolean isDevice(Entry entry) {
        return entry.type() == 'c' || entry.type() == 'b';
    }

    private static IOException rejected(Path archive, String member, String reason) {
        return new IOException("archive " + archive + " is rejected: member '" + member + "' " + reason
                + ". Repack it with relative paths inside the root directory");
    }
}
