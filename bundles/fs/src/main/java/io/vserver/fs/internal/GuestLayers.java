package io.vserver.fs.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import io.vserver.api.GuestRecord;

/**
 * The per-guest directories of the root file system. The upper directory is the guest's own,
 * never shared, because overlayfs mounts two overlays on one upper with only a warning and
 * then misbehaves.
 *
 * @param upper the overlay's writable layer, {@code DATA/guests/NAME/upper}
 * @param work the overlay's work directory on the same file system, {@code DATA/guests/NAME/work}
 * @param root the mount point of the guest's root, {@code RUN/guests/NAME/rootfs}
 */
record GuestLayers(Path upper, Path work, Path root) {

    static GuestLayers of(GuestRecord record) {
        return new GuestLayers(record.dataDirectory().resolve("upper"), record.dataDirectory().resolve("work"),
                record.runDirectory().resolve("rootfs"));
    }

    List<Path> all() {
        return List.of(upper, work, root);
    }

    /**
     * Creates the three directories. The upper directory's mode becomes the mode of the
     * guest's /, so it is set to 0755 whatever the umask.
     */
    void create() throws IOException {
        Files.createDirectories(upper);
        Files.setPosixFilePermissions(upper, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(work);
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwx------"));
        Files.createDirectories(root);
    }
}
