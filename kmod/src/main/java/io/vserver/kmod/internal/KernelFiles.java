package io.vserver.kmod.internal;

import com.sun.jna.LastErrorException;
import io.vserver.kmod.libc.Errno;
import io.vserver.kmod.libc.LibC;
import io.vserver.kmod.libc.SyscallException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads and writes the small text files of /proc, /sys and cgroupfs with plain system calls, so
 * that a failure carries the kernel's errno rather than a Java exception text.
 *
 * <p>Each value is written with a single {@code write(2)}, because kernel files such as
 * {@code cgroup.procs} or {@code memory.max} parse each write on its own.
 */
public final class KernelFiles {

    private static final int READ_CHUNK = 8192;
    private static final int MKDIR_MODE = 0755;

    private KernelFiles() {
    }

    /**
     * Reads a whole file as bytes. A failure names the operation {@code read} and the file, as
     * in {@code read /proc/4242/stat: No such file or directory (ENOENT)}, also when it was the
     * {@code open(2)} before it that failed.
     */
    public static byte[] readBytes(Path file) throws SyscallException {
        String path = file.toString();
        int fd;
        try {
            fd = LibC.INSTANCE.open(path, LibC.Fcntl.O_RDONLY | LibC.Fcntl.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new SyscallException("read", path, e);
        }
        try {
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            byte[] chunk = new byte[READ_CHUNK];
            while (true) {
                long count = LibC.INSTANCE.read(fd, chunk, chunk.length);
                if (count == 0) {
                    return content.toByteArray();
                }
                content.write(chunk, 0, (int) count);
            }
        } catch (LastErrorException e) {
            throw new SyscallException("read", path, e);
        } finally {
            closeQuietly(fd);
        }
    }

    /**
     * Reads a whole file as UTF-8 text. Bytes that are not valid UTF-8, possible in a process
     * name, are replaced rather than rejected.
     */
    public static String read(Path file) throws SyscallException {
        return new String(readBytes(file), StandardCharsets.UTF_8);
    }

    /**
     * Writes a value to an existing file, truncating it, in one {@code write(2)} call. A failure
     * names the operation {@code write} with the file and the quoted value, as in
     * {@code write /sys/fs/cgroup/pids/web1/pids.max "lots": Invalid argument (EINVAL)}, also
     * when it was the {@code open(2)} before it that failed (a missing file: ENOENT).
     */
    public static void write(Path file, String value) throws SyscallException {
        String path = file.toString();
        String object = path + " " + quote(value);
        int fd;
        try {
            fd = LibC.INSTANCE.open(path,
                    LibC.Fcntl.O_WRONLY | LibC.Fcntl.O_TRUNC | LibC.Fcntl.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new SyscallException("write", object, e);
        }
        byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        try {
            long written = LibC.INSTANCE.write(fd, bytes, bytes.length);
            if (written != bytes.length) {
                // Kernel attribute files take a value in one piece; a short write means the
                // value was not applied as a whole.
                throw new SyscallException("write", object + " (short write of " + written
                        + " of " + bytes.length + " bytes)", Errno.EIO);
            }
        } catch (LastErrorException e) {
            throw new SyscallException("write", object, e);
        } finally {
            closeQuietly(fd);
        }
    }

    /**
     * Creates a directory with mode 0755.
     *
     * @return true if it was created, false if it already existed
     */
    public static boolean mkdir(Path directory) throws SyscallException {
        try {
            LibC.INSTANCE.mkdir(directory.toString(), MKDIR_MODE);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.EEXIST) {
                return false;
            }
            throw new SyscallException("mkdir", directory.toString(), e);
        }
    }

    /**
     * Removes an empty directory.
     *
     * @return true if it was removed, false if it did not exist
     */
    public static boolean rmdir(Path directory) throws SyscallException {
        try {
            LibC.INSTANCE.rmdir(directory.toString());
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.ENOENT) {
                return false;
            }
            throw new SyscallException("rmdir", directory.toString(), e);
        }
    }

    /** Returns the target of a symbolic link, such as {@code pid:[4026531836]}. */
    public static String readlink(Path link) throws SyscallException {
        byte[] buffer = new byte[4096];
        try {
            long length = LibC.INSTANCE.readlink(link.toString(), buffer, buffer.length);
            return new String(buffer, 0, (int) length, StandardCharsets.UTF_8);
        } catch (LastErrorException e) {
            throw new SyscallException("readlink", link.toString(), e);
        }
    }

    /** Quotes a value for a message, escaping quotes, backslashes and line breaks. */
    public static String quote(String value) {
        StringBuilder quoted = new StringBuilder(value.length() + 2).append('"');
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\t' -> quoted.append("\\t");
                default -> quoted.append(c);
            }
        }
        return quoted.append('"').toString();
    }

    private static void closeQuietly(int fd) {
        try {
            LibC.INSTANCE.close(fd);
        } catch (LastErrorException e) {
            // The data was already read or written; a failing close(2) of a kernel file
            // changes nothing the caller could act on.
        }
    }
}
