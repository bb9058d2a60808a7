package io.vserver.bench.network;

import com.sun.jna.LastErrorException;
import io.vserver.kmod.bpf.BpfFileSystem;
import io.vserver.kmod.bpf.Chbind;
import io.vserver.kmod.bpf.ChbindLinks;
import io.vserver.kmod.bpf.GuestAddresses;
import io.vserver.kmod.cgroup.CgroupHierarchies;
import io.vserver.kmod.cgroup.CgroupHierarchy;
import io.vserver.kmod.libc.LibC;
import io.vserver.kmod.libc.SyscallException;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The cgroups and BPF pins of one chbind benchmark run, all named after the JVM's pid:
 *
 * <pre>
 * CGROUP2/vserver-bench-chbind-PID               the chbind programs are attached here
 * CGROUP2/vserver-bench-chbind-PID/hooked        map entry with the guest address
 * CGROUP2/vserver-bench-chbind-PID-plain         no programs
 * CGROUP2/vserver-bench-chbind-PID-plain/plain   no map entry
 * /sys/fs/bpf/vserver-bench-chbind-PID           pinned maps and links
 * </pre>
 *
 * <p>The hooked cgroup has the place of a guest's cgroup {@code vserver/NAME} on the host:
 * one level below the cgroup the programs are attached to, so every program walks the same
 * ancestry as in a real guest. The plain cgroup sits at the same depth in a tree of its own,
 * because programs attached to a cgroup apply to all its descendants.
 *
 * <p>{@link #close()} removes everything this object created, also after a partial
 * {@link #create}, and may be called more than once.
 */
final class ChbindBenchSetup implements AutoCloseable {

    private static final String NAME_PREFIX = "vserver-bench-chbind-";

    /** The entries the kernel itself puts in a new bpffs mount when it has BPF preload. */
    private static final Set<String> KERNEL_ENTRIES = Set.of("maps.debug", "progs.debug");

    /** How long {@link #close()} retries removing a cgroup that exited processes still hold. */
    private static final long REMOVE_TIMEOUT_MILLIS = 5000;
    private static final long REMOVE_RETRY_MILLIS = 100;

    private final Path hookedParent;
    private final Path plainParent;
    private final Path pinDirectory;
    private final List<Path> createdCgroups = new ArrayList<>();
    private boolean mountedBpfFileSystem;
    private boolean createdPinDirectory;
    private Chbind chbind;
    private boolean closed;

    private ChbindBenchSetup(Path cgroupRoot, String name) {
        this.hookedParent = cgroupRoot.resolve(name);
        this.plainParent = cgroupRoot.resolve(name + "-plain");
        this.pinDirectory = BpfFileSystem.DEFAULT_MOUNT_POINT.resolve(name);
    }

    /**
     * Creates the cgroups, loads the programs of an object file, attaches them to the hooked
     * parent and gives the hooked guest cgroup a map entry with the guest address and the
     * loopback address of the context. Removes what it made when a step fails.
     */
    static ChbindBenchSetup create(Path objectFile, Inet4Address guestAddress, int context)
            throws IOException {
        CgroupHierarchy unified = CgroupHierarchies.discover().unified().orElseThrow(
                () -> new IllegalStateException("No cgroup2 hierarchy is mounted: mount one "
                        + "(mount -t cgroup2 none /sys/fs/cgroup/unified) to attach BPF programs"));
        String name = NAME_PREFIX + ProcessHandle.current().pid();
        ChbindBenchSetup setup = new ChbindBenchSetup(unified.mountPoint(), name);
        try {
            setup.build(objectFile, guestAddress, context);
            return setup;
        } catch (IOException | RuntimeException e) {
            try {
                setup.close();
            } catch (IOException cleanupFailure) {
                e.addSuppressed(cleanupFailure);
            }
            throw e;
        }
    }

    private void build(Path objectFile, Inet4Address guestAddress, int context)
            throws IOException {
        createCgroup(hookedParent);
        createCgroup(hookedGuest());
        createCgroup(plainParent);
        createCgroup(plainGuest());

        mountedBpfFileSystem = BpfFileSystem.ensureMounted(BpfFileSystem.DEFAULT_MOUNT_POINT);
        Files.createDirectory(pinDirectory);
        createdPinDirectory = true;
        chbind = Chbind.load(objectFile, pinDirectory);
        chbind.attach(hookedParent);
        chbind.map().put(ChbindLinks.cgroupId(hookedGuest()),
                GuestAddresses.of(guestAddress, context));
    }

    private void createCgroup(Path cgroup) throws IOException {
        Files.createDirectory(cgroup);
        createdCgroups.add(cgroup);
    }

    /** Returns the cgroup whose processes run under the programs, with a map entry. */
    Path hookedGuest() {
        return hookedParent.resolve("hooked");
    }

    /** Returns the cgroup whose processes run without programs, at the same depth. */
    Path plainGuest() {
        return plainParent.resolve("plain");
    }

    Path pinDirectory() {
        return pinDirectory;
    }

    /** Returns the names of the attached programs, in the order of the object file. */
    List<String> programNames() {
        return chbind == null ? List.of() : chbind.programNames();
    }

    /**
     * Detaches the programs, removes the pins and the cgroups (deepest first) and unmounts
     * bpffs when {@link #create} mounted it and it is empty again. Every step runs even when
     * an earlier one fails, and the first failure is thrown with the others suppressed.
     */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        List<Exception> failures = new ArrayList<>();
        if (chbind != null) {
            run(failures, () -> ChbindLinks.detach(pinDirectory,
                    ChbindLinks.cgroupId(hookedParent)));
            run(failures, chbind::close);
        }
        if (createdPinDirectory) {
            run(failures, () -> deleteTree(pinDirectory));
        }
        for (int index = createdCgroups.size() - 1; index >= 0; index--) {
            Path cgroup = createdCgroups.get(index);
            run(failures, () -> removeCgroup(cgroup));
        }
        if (mountedBpfFileSystem) {
            run(failures, ChbindBenchSetup::unmountBpfFileSystem);
        }
        if (!failures.isEmpty()) {
            IOException failure = new IOException("Cleanup of " + hookedParent + ", " + plainParent
                    + " and " + pinDirectory
                    + " failed: " + failures.get(0).getMessage(), failures.get(0));
            failures.subList(1, failures.size()).forEach(failure::addSuppressed);
            throw failure;
        }
    }

    /** One cleanup step, which may throw. */
    private interface Step {
        void run() throws Exception;
    }

    private static void run(List<Exception> failures, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            failures.add(e);
        }
    }

    private static void deleteTree(Path top) throws IOException {
        if (!Files.exists(top)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(top)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /**
     * Removes an empty cgroup. The kernel reports EBUSY for a short time after the last
     * process of the cgroup exited, so the removal is retried until the timeout.
     */
    private static void removeCgroup(Path cgroup) throws IOException, InterruptedException {
        long deadline = System.currentTimeMillis() + REMOVE_TIMEOUT_MILLIS;
        while (true) {
            try {
                Files.deleteIfExists(cgroup);
                return;
            } catch (DirectoryNotEmptyException e) {
                throw e;
            } catch (FileSystemException e) {
                if (System.currentTimeMillis() >= deadline) {
                    throw new IOException("Cannot remove cgroup " + cgroup + " within "
                            + REMOVE_TIMEOUT_MILLIS + " ms: " + e.getReason()
                            + " (a process may still be in it)", e);
                }
                Thread.sleep(REMOVE_RETRY_MILLIS);
            }
        }
    }

    /**
     * Unmounts the bpffs that {@link #create} mounted, unless something else has pinned an
     * object in it since, because unmounting would release those pins. The kernel's own
     * {@code maps.debug} and {@code progs.debug} entries, present in every bpffs mount when
     * the kernel has BPF preload, do not count.
     */
    private static void unmountBpfFileSystem() throws IOException {
        Path mountPoint = BpfFileSystem.DEFAULT_MOUNT_POINT;
        try (Stream<Path> entries = Files.list(mountPoint)) {
            boolean pinned = entries.anyMatch(
                    entry -> !KERNEL_ENTRIES.contains(entry.getFileName().toString()));
            if (pinned) {
                return;
            }
        }
        try {
            LibC.INSTANCE.umount2(mountPoint.toString(), 0);
        } catch (LastErrorException e) {
            throw new SyscallException("umount2", mountPoint.toString(), e);
        }
    }
}
