package io.vserver.kmod.cgroup;

import io.vserver.kmod.libc.SyscallException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Cgroup file operations on a plain directory tree that behave as cgroupfs does where it
 * matters to the driver: a new directory gets the interface files of its parent (empty), and
 * removing a directory removes its interface files. Reads and writes are the real ones, so a
 * file the "kernel" lacks fails with ENOENT.
 */
class TmpfsCgroupFiles extends CgroupFiles {

    @Override
    boolean mkdir(Path directory) throws SyscallException {
        boolean created = super.mkdir(directory);
        if (created) {
            for (Path file : regularFiles(directory.getParent())) {
                createEmpty(directory.resolve(file.getFileName()));
            }
        }
        return created;
    }

    @Override
    boolean rmdir(Path directory) throws SyscallException {
        if (Files.isDirectory(directory)) {
            for (Path file : regularFiles(directory)) {
                delete(file);
            }
        }
        return super.rmdir(directory);
    }

    private static List<Path> regularFiles(Path directory) {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void createEmpty(Path file) {
        try {
            Files.createFile(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void delete(Path file) {
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
