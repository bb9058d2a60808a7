package io.vserver.kmod.bpf;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.vserver.kmod.libc.Errno;
import io.vserver.kmod.libc.SyscallException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The pinned links of the chbind programs, one directory per cgroup:
 * {@code PIN_DIRECTORY/links/cgroup-ID/PROGRAM}, where ID is the cgroup v2 id and PROGRAM the
 * program's name in chbind.bpf.c. A pinned link keeps its program attached after the process
 * that attached it exits, until the pin is removed and the link detached.
 */
public final class ChbindLinks {

    private static final Logger LOG = LoggerFactory.getLogger(ChbindLinks.class);

    private static final String LINKS = "links";
    private static final String CGROUP_PREFIX = "cgroup-";

    private ChbindLinks() {
    }

    /** Returns the cgroup v2 id of a cgroup directory: the inode number of the directory. */
    public static long cgroupId(Path cgroupDirectory) throws IOException {
        try {
            return (Long) Files.getAttribute(cgroupDirectory, "unix:ino");
        } catch (NoSuchFileException e) {
            throw new SyscallException("stat", cgroupDirectory.toString(), Errno.ENOENT);
        }
    }

    /** Returns the directory that contains the link pins of one cgroup. */
    public static Path linkDirectory(Path pinDirectory, long cgroupId) {
        return pinDirectory.resolve(LINKS).resolve(CGROUP_PREFIX + Long.toUnsignedString(cgroupId));
    }

    /** Returns the names of the programs with a pinned link to the cgroup, sorted. */
    public static List<String> pinnedPrograms(Path pinDirectory, long cgroupId)
            throws IOException {
        Path directory = linkDirectory(pinDirectory, cgroupId);
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> pins = Files.list(directory)) {
            return pins.map(pin -> pin.getFileName().toString()).sorted().toList();
        }
    }

    /** Returns the cgroup ids that have a link directory, including empty ones. */
    public static List<Long> attachedCgroups(Path pinDirectory) throws IOException {
        Path links = pinDirectory.resolve(LINKS);
        if (!Files.isDirectory(links)) {
            return List.of();
        }
        List<Long> ids = new ArrayList<>();
        try (Stream<Path> directories = Files.list(links)) {
            for (Path directory : (Iterable<Path>) directories::iterator) {
                String name = directory.getFileName().toString();
                if (name.startsWith(CGROUP_PREFIX)) {
                    ids.add(Long.parseUnsignedLong(name.substring(CGROUP_PREFIX.length())));
                }
            }
        }
        return ids;
    }

    /**
     * Pins a link under the cgroup's link directory and closes this process's handle of it,
     * so the pin alone keeps the program attached.
     */
    static void pin(Pointer link, Path pin) throws SyscallException {
        try {
            int result = LibBpf.INSTANCE.bpf_link__pin(link, pin.toString());
            if (result < 0) {
                LibBpf.INSTANCE.bpf_link__detach(link);
                throw new SyscallException("bpf_link__pin", pin.toString(), -result);
            }
        } finally {
            LibBpf.INSTANCE.bpf_link__destroy(link);
        }
    }

    /**
     * Detaches the programs from a cgroup: opens every pinned link of the cgroup, removes the
     * pin, detaches the link and removes the cgroup's link directory. The cgroup itself need
     * not exist any more. Safe to call again after a partial failure.
     *
     * @return false if nothing was pinned for the cgroup
     */
    public static boolean detach(Path pinDirectory, long cgroupId) throws IOException {
        Path directory = linkDirectory(pinDirectory, cgroupId);
        if (!Files.isDirectory(directory)) {
            return false;
        }
        for (String program : pinnedPrograms(pinDirectory, cgroupId)) {
            detachPinned(directory.resolve(program));
        }
        Files.deleteIfExists(directory);
        LOG.info("Detached chbind programs from cgroup id {}", Long.toUnsignedString(cgroupId));
        return true;
    }

    private static void detachPinned(Path pin) throws IOException {
        Pointer link = LibBpf.INSTANCE.bpf_link__open(pin.toString());
        if (link == null) {
            throw new SyscallException("bpf_link__open", pin.toString(), Native.getLastError());
        }
        try {
            Files.delete(pin);
            int result = LibBpf.INSTANCE.bpf_link__detach(link);
            if (result < 0) {
                throw new SyscallException("bpf_link__detach", pin.toString(), -result);
            }
        } finally {
            LibBpf.INSTANCE.bpf_link__destroy(link);
        }
    }
}
