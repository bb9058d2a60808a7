package io.vserver.host.internal;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

import io.vserver.kmod.proc.MountEntry;
import io.vserver.kmod.proc.ProcFs;

/** Removes a guest's directory tree, but never across a mount point and never through a symbolic link. */
final class DirectoryRemover {

    private DirectoryRemover() {
    }

    /**
     * Removes {@code directory} and everything below it; a missing directory is not an error.
     *
     * @throws IOException when something is mounted below it (an element left a mount), or a
     *     file cannot be removed
     */
    static void removeTree(Path directory, ProcFs proc) throws IOException {
        if (!Files.exists(directory, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path absolute = directory.toAbsolutePath().normalize();
        for (MountEntry mount : proc.mounts((int) ProcessHandle.current().pid())) {
            Path mountPoint = Path.of(mount.mountPoint());
            if (mountPoint.startsWith(absolute)) {
                throw new IOException("cannot remove " + absolute + ": " + mountPoint + " is mounted below it; "
                        + "unmount it first");
            }
        }
        // walkFileTree does not follow symbolic links, so a link in the guest's files is removed, not its target.
        Files.walkFileTree(absolute, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path visited, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.delete(visited);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
