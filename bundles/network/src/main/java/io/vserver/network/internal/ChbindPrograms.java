package io.vserver.network.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import io.vserver.kmod.bpf.BpfFileSystem;
import io.vserver.kmod.bpf.Chbind;
import io.vserver.kmod.bpf.ChbindMap;
import io.vserver.kmod.cgroup.CgroupHierarchies;
import io.vserver.kmod.cgroup.CgroupHierarchy;

/**
 * The chbind programs of each cgroup parent the host puts guests under, loaded on first use.
 *
 * <p>The programs and maps of parent {@code P} are pinned in {@code /sys/fs/bpf/P} (a {@code /}
 * in P becomes {@code .}), and attached once to P's directory on the cgroup2 hierarchy, where
 * they serve every guest below it. Pins outlive this object, the bundle and the JVM, so a new
 * instance finds the attachment and the guests' entries in place.
 */
final class ChbindPrograms implements AutoCloseable {

    private final Path objectDirectory;
    private final Map<Path, Chbind> loaded = new HashMap<>();

    /** @param objectDirectory where the BPF object file is copied out of the kmod bundle */
    ChbindPrograms(Path objectDirectory) {
        this.objectDirectory = objectDirectory;
    }

    /** Returns the pin directory of a cgroup parent, such as {@code /sys/fs/bpf/vserver}. */
    static Path pinDirectory(String cgroupParent) {
        return BpfFileSystem.DEFAULT_MOUNT_POINT.resolve(cgroupParent.replace('/', '.'));
    }

    /** Returns the cgroup parent of a guest's cgroup path: {@code vserver} for {@code vserver/web1}. */
    static String parentOf(String cgroupPath) {
        int slash = cgroupPath.lastIndexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException("Guest cgroup " + cgroupPath + " has no parent: the host puts guests "
                    + "below a parent cgroup, such as vserver/NAME");
        }
        return cgroupPath.substring(0, slash);
    }

    /**
     * Returns the guest map of the parent of {@code cgroupPath}, loading the programs and
     * attaching them to the parent on the cgroup2 hierarchy when that was not done yet.
     *
     * @throws IOException when the host has no cgroup2 hierarchy, or loading or attaching failed
     */
    synchronized ChbindMap mapFor(CgroupHierarchies hierarchies, String cgroupPath) throws IOException {
        String parent = parentOf(cgroupPath);
        CgroupHierarchy unified = hierarchies.unified().orElseThrow(() -> new IOException("network.mode=bind "
                + "needs a cgroup2 hierarchy for its BPF programs, and this host mounts none: mount cgroup2 "
                + "(hybrid or unified layout) or use network.mode=isolated"));
        Chbind chbind = load(pinDirectory(parent));
        // attach() compares the pinned links with the programs, so a parent that was removed and
        // made again, or links unpinned by hand, are attached again.
        chbind.attach(hierarchies.group(parent).directory(unified));
        return chbind.map();
    }

    /**
     * Returns the guest map of the parent of {@code cgroupPath} without attaching anything, or
     * empty when nothing is pinned for that parent. The programs are loaded when this object
     * has not loaded them yet, because the map comes with them.
     */
    synchronized Optional<ChbindMap> existingMapFor(String cgroupPath) throws IOException {
        Path pins = pinDirectory(parentOf(cgroupPath));
        if (!loaded.containsKey(pins) && !Files.isDirectory(pins)) {
            return Optional.empty();
        }
        return Optional.of(load(pins).map());
    }

    /** Returns the programs pinned in {@code pins}, loading them on first use. */
    private Chbind load(Path pins) throws IOException {
        Chbind chbind = loaded.get(pins);
        if (chbind == null) {
            chbind = Chbind.load(Chbind.extractObject(objectDirectory), pins);
            loaded.put(pins, chbind);
        }
        return chbind;
    }

    /** Closes the loaded objects; pinned programs, links and map entries stay in the kernel. */
    @Override
    public synchronized void close() throws IOException {
        IOException failure = null;
        for (Chbind chbind : loaded.values()) {
            try {
                chbind.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        loaded.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
