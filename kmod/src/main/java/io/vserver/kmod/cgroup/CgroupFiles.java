package io.vserver.kmod.cgroup;

import io.vserver.kmod.internal.KernelFiles;
import io.vserver.kmod.libc.Errno;
import io.vserver.kmod.libc.SyscallException;

import java.io.IOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * File operations of the cgroup driver on the kernel's cgroupfs. Unit tests replace the two
 * operations that behave differently on a plain directory tree, because cgroupfs creates the
 * interface files of a new directory itself and removes them with the directory.
 */
class CgroupFiles {

    static final CgroupFiles KERNEL = new CgroupFiles();

    String read(Path file) throws SyscallException {
        return KernelFiles.read(file);
    }

    /** Writes a value to an interface file, which cgroupfs created with the directory. */
    void write(Path file, String value) throws SyscallException {
        KernelFiles.write(file, value);
    }

    /** Creates a cgroup directory; returns false if it existed. */
    boolean mkdir(Path directory) throws SyscallException {
        return KernelFiles.mkdir(directory);
    }

    /** Removes a cgroup directory without child cgroups; returns false if it did not exist. */
    boolean rmdir(Path directory) throws SyscallException {
        return KernelFiles.rmdir(directory);
    }

    boolean isDirectory(Path directory) {
        return Files.isDirectory(directory);
    }

    boolean isFile(Path file) {
        return Files.isRegularFile(file);
    }

    /** Returns the child directories (child cgroups); none when the directory is gone. */
    List<Path> childDirectories(Path directory) throws IOException {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(directory,
                Files::isDirectory)) {
            stream.forEach(children::add);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        return children;
    }

    /** Returns the inode number of a directory, which on cgroup2 is the cgroup id. */
    long inode(Path directory) throws IOException {
        try {
            return (Long) Files.getAttribute(directory, "unix:ino");
        } catch (NoSuchFileException e) {
            throw new SyscallException("stat", directory.toString(), Errno.ENOENT);
        }
    }
}
