package io.vserver.kmod.bpf;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.vserver.kmod.libc.LibC;
import io.vserver.kmod.libc.SyscallException;
import io.vserver.kmod.libc.Syscalls;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The loaded chbind programs (chbind.bpf.c), which lock the sockets of guests to their own
 * addresses on the shared host network stack, with their pinned maps.
 *
 * <p>{@link #load} loads the object file, reusing the maps pinned in the pin directory by an
 * earlier process or pinning new ones, so guest entries survive a restart of the JVM.
 * {@link #attach} attaches every program to a cgroup v2 directory and pins the links, so the
 * programs stay attached when this object is closed or the JVM exits; {@link ChbindLinks}
 * re-opens and detaches them later.
 *
 * <p>The programs look up the calling task's cgroup and its ancestors in the map, so one
 * attachment to the common parent cgroup of all guests (such as {@code vserver}) serves every
 * guest: starting a guest then needs only a map entry, and the kernel does not rebuild the
 * program arrays of every guest cgroup on each start. Attaching to each guest cgroup also works.
 */
public final class Chbind implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Chbind.class);

    /** The pin directory the host uses. */
    public static final Path DEFAULT_PIN_DIRECTORY = BpfFileSystem.DEFAULT_MOUNT_POINT
            .resolve("vserver");

    /** The object file inside the kmod bundle. */
    public static final String OBJECT_RESOURCE = "bpf/chbind.bpf.o";

    private static final List<String> MAP_NAMES = List.of(ChbindMap.GUESTS,
            ChbindMap.LOOPBACK_OWNERS);

    private final Path objectFile;
    private final Path pinDirectory;
    private final Map<String, Pointer> programs;
    private final ChbindMap map;
    private Pointer object;

    private Chbind(Path objectFile, Path pinDirectory, Pointer object,
            Map<String, Pointer> programs, ChbindMap map) {
        this.objectFile = objectFile;
        this.pinDirectory = pinDirectory;
        this.object = object;
        this.programs = programs;
        this.map = map;
    }

    /**
     * Copies the object file out of the bundle into a directory, because libbpf opens files
     * only, and returns its path.
     */
    public static Path extractObject(Path directory) throws IOException {
        Files.createDirectories(directory);
        Path target = directory.resolve("chbind.bpf.o");
        Path temporary = Files.createTempFile(directory, "chbind", ".tmp");
        try (InputStream in = Chbind.class.getClassLoader().getResourceAsStream(OBJECT_RESOURCE)) {
            if (in == null) {
                throw new IOException("Resource " + OBJECT_RESOURCE + " not found in the kmod "
                        + "bundle: build kmod with clang, llvm and libbpf-dev installed");
            }
            Files.copy(in, temporary, StandardCopyOption.REPLACE_EXISTING);
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temporary);
        }
        return target;
    }

    /**
     * Loads the programs of an object file and opens the maps pinned in a directory, pinning
     * new maps there when none are. Mounts bpffs at {@code /sys/fs/bpf} first when the pin
     * directory lies below it and it is not mounted.
     *
     * @throws SyscallException naming the libbpf function, the object file and the errno
     */
    public static Chbind load(Path objectFile, Path pinDirectory) throws IOException {
        LibBpfLog.install();
        if (pinDirectory.startsWith(BpfFileSystem.DEFAULT_MOUNT_POINT)) {
            BpfFileSystem.ensureMounted(BpfFileSystem.DEFAULT_MOUNT_POINT);
        }
        Files.createDirectories(pinDirectory);
        Pointer object = LibBpf.INSTANCE.bpf_object__open_file(objectFile.toString(), null);
        if (object == null) {
            throw new SyscallException("bpf_object__open_file", objectFile.toString(),
                    Native.getLastError());
        }
        try {
            List<String> newMaps = reusePinnedMaps(object, objectFile, pinDirectory);
            int result = LibBpf.INSTANCE.bpf_object__load(object);
            if (result < 0) {
                throw new SyscallException("bpf_object__load", objectFile.toString(), -result);
            }
            for (String name : newMaps) {
                pinMap(object, objectFile, name, pinDirectory.resolve(name));
            }
            Chbind chbind = new Chbind(objectFile, pinDirectory, object, programs(object),
                    ChbindMap.open(pinDirectory));
            LOG.info("Loaded {} chbind programs from {}, maps pinned in {}",
                    chbind.programs.size(), objectFile, pinDirectory);
            return chbind;
        } catch (IOException | RuntimeException e) {
            LibBpf.INSTANCE.bpf_object__close(object);
            throw e;
        }
    }

    /**
     * Makes the object use the maps pinned earlier and returns the names of the others.
     * NOTE: bpf_map__reuse_fd does not compare the pinned map's key and value sizes with the
     * object's, so a changed {@code struct chbind_guest} needs new pins (or fails to load).
     */
    private static List<String> reusePinnedMaps(Pointer object, Path objectFile,
            Path pinDirectory) throws SyscallException {
        List<String> newMaps = new ArrayList<>();
        for (String name : MAP_NAMES) {
            Pointer bpfMap = findMap(object, objectFile, name);
            Path pin = pinDirectory.resolve(name);
            if (!Files.exists(pin)) {
                newMaps.add(name);
                continue;
            }
            int fd = ChbindMap.openPinned(pin);
            try {
                int result = LibBpf.INSTANCE.bpf_map__reuse_fd(bpfMap, fd);
                if (result < 0) {
                    throw new SyscallException("bpf_map__reuse_fd", objectFile + " map " + name
                            + " from " + pin, -result);
                }
            } finally {
                Syscalls.close(fd);
            }
        }
        return newMaps;
    }

    private static void pinMap(Pointer object, Path objectFile, String name, Path pin)
            throws SyscallException {
        int result = LibBpf.INSTANCE.bpf_map__pin(findMap(object, objectFile, name),
                pin.toString());
        if (result < 0) {
            throw new SyscallException("bpf_map__pin", objectFile + " map " + name + " at "
                    + pin, -result);
        }
    }

    private static Pointer findMap(Pointer object, Path objectFile, String name)
            throws SyscallException {
        Pointer bpfMap = LibBpf.INSTANCE.bpf_object__find_map_by_name(object, name);
        if (bpfMap == null) {
            throw new SyscallException("bpf_object__find_map_by_name", objectFile + " map "
                    + name, Native.getLastError());
        }
        return bpfMap;
    }

    private static Map<String, Pointer> programs(Pointer object) {
        Map<String, Pointer> programs = new LinkedHashMap<>();
        Pointer program = LibBpf.INSTANCE.bpf_object__next_program(object, null);
        while (program != null) {
            programs.put(LibBpf.INSTANCE.bpf_program__name(program), program);
            program = LibBpf.INSTANCE.bpf_object__next_program(object, program);
        }
        return programs;
    }

    /** Returns the guest map, which stays open until {@link #close()}. */
    public ChbindMap map() {
        return map;
    }

    /** Returns the names of the programs, in the order of the object file. */
    public List<String> programNames() {
        return List.copyOf(programs.keySet());
    }

    /**
     * Attaches every program to a cgroup v2 directory and pins the links, unless all of them
     * are pinned for that cgroup already. A partial set left by an earlier failure is
     * detached and attached again. When an attach fails, the links this call made are
     * detached again.
     *
     * @return false if the programs were attached already
     * @throws SyscallException naming {@code bpf_program__attach_cgroup}, the program, the
     *                          cgroup and the errno
     */
    public synchronized boolean attach(Path cgroupDirectory) throws IOException {
        checkOpen();
        long cgroupId = ChbindLinks.cgroupId(cgroupDirectory);
        List<String> pinned = ChbindLinks.pinnedPrograms(pinDirectory, cgroupId);
        if (pinned.equals(programs.keySet().stream().sorted().toList())) {
            return false;
        }
        if (!pinned.isEmpty()) {
            LOG.warn("Cgroup {} has only the chbind links {}, attaching all again",
                    cgroupDirectory, pinned);
            ChbindLinks.detach(pinDirectory, cgroupId);
        }
        Path linkDirectory = ChbindLinks.linkDirectory(pinDirectory, cgroupId);
        Files.createDirectories(linkDirectory);
        int cgroupFd = openDirectory(cgroupDirectory);
        try {
            for (Map.Entry<String, Pointer> program : programs.entrySet()) {
                attachOne(program.getKey(), program.getValue(), cgroupFd, cgroupDirectory,
                        linkDirectory.resolve(program.getKey()));
            }
        } catch (IOException | RuntimeException e) {
            try {
                ChbindLinks.detach(pinDirectory, cgroupId);
            } catch (IOException detachFailure) {
                e.addSuppressed(detachFailure);
            }
            throw e;
        } finally {
            Syscalls.close(cgroupFd);
        }
        LOG.info("Attached chbind programs to cgroup {} (id {}), links pinned in {}",
                cgroupDirectory, Long.toUnsignedString(cgroupId), linkDirectory);
        return true;
    }

    private void attachOne(String name, Pointer program, int cgroupFd, Path cgroupDirectory,
            Path pin) throws SyscallException {
        Pointer link = LibBpf.INSTANCE.bpf_program__attach_cgroup(program, cgroupFd);
        if (link == null) {
            throw new SyscallException("bpf_program__attach_cgroup", objectFile + " program "
                    + name + " to " + cgroupDirectory, Native.getLastError());
        }
        ChbindLinks.pin(link, pin);
    }

    /**
     * Detaches the programs from a cgroup v2 directory and removes their pins.
     *
     * @return false if no links were pinned for the cgroup
     */
    public synchronized boolean detach(Path cgroupDirectory) throws IOException {
        return ChbindLinks.detach(pinDirectory, ChbindLinks.cgroupId(cgroupDirectory));
    }

    private static int openDirectory(Path directory) throws SyscallException {
        try {
            return LibC.INSTANCE.open(directory.toString(),
                    LibC.Fcntl.O_RDONLY | LibC.Fcntl.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new SyscallException("open", directory.toString(), e);
        }
    }

    private void checkOpen() {
        if (object == null) {
            throw new IllegalStateException("chbind object " + objectFile + " is closed");
        }
    }

    /**
     * Closes the object and the map descriptors. Pinned maps and links, and with them every
     * attachment, stay in the kernel.
     */
    @Override
    public synchronized void close() throws SyscallException {
        if (object == null) {
            return;
        }
        LibBpf.INSTANCE.bpf_object__close(object);
        object = null;
        map.close();
    }
}
