package io.vserver.fs.internal;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Deletion of directory trees that a guest may have filled, without following any symlink in them.
 */
final class FileTrees {

    private FileTrees() {
    }

    /**
     * Deletes {@code root} and everything below it. A missing {@code root} is not an error.
     * Symlinks are deleted, never followed, so a link a guest planted cannot lead the deletion
     * out of the tree.
     */
    static void deleteIfExists(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.delete(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Deletes {@code directory} when it is empty and returns true, or returns false when it is
     * missing or not empty.
     */
    static boolean deleteIfEmpty(Path directory) throws IOException {
        try {
            Files.delete(directory);
            return true;
        } catch (NoSuchFileException | DirectoryNotEmptyException e) {
            return false;
        }
    }
}
