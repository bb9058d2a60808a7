package io.vserver.kmod.vcontext;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import io.vserver.kmod.libc.LibC;
import io.vserver.kmod.libc.SyscallException;
import io.vserver.kmod.libc.Syscalls;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A pipe that the JVM owns itself, to give a child process as stdin, stdout or stderr through
 * {@link ProcessBuilder.Redirect} of its {@code /proc/self/fd} path.
 *
 * <p>The pipes of {@link Process} cannot serve {@code vcontext create}: the JVM closes its ends
 * as soon as the process it started exits, and that process exits at once, leaving the
 * detached monitor to write the status lines and read the go. A pipe of this class stays open
 * until the JVM closes the streams {@link #openInput()} and {@link #openOutput()} return.
 */
final class Pipe implements AutoCloseable {

    /** The glibc function this class needs beyond {@link LibC}. */
    interface PipeCalls extends Library {
        PipeCalls INSTANCE = Native.load("c", PipeCalls.class);

        int pipe2(int[] fds, int flags) throws LastErrorException;
    }

    private int readFd;
    private int writeFd;

    private Pipe(int readFd, int writeFd) {
        this.readFd = readFd;
        this.writeFd = writeFd;
    }

    /** Creates a pipe whose descriptors are closed on exec. */
    static Pipe open() throws SyscallException {
        int[] fds = new int[2];
        try {
            PipeCalls.INSTANCE.pipe2(fds, LibC.Fcntl.O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new SyscallException("pipe2", null, e);
        }
        return new Pipe(fds[0], fds[1]);
    }

    /**
     * Returns the path that opens the read end again, for {@link ProcessBuilder.Redirect#from}.
     * Opening it does not block while this pipe is open, because the write end then has a
     * holder.
     */
    File readEnd() {
        return new File("/proc/self/fd/" + checkOpen(readFd));
    }

    /** Returns the path that opens the write end again, for {@link ProcessBuilder.Redirect#to}. */
    File writeEnd() {
        return new File("/proc/self/fd/" + checkOpen(writeFd));
    }

    /** Opens the read end as a stream of its own, which stays open after {@link #close()}. */
    InputStream openInput() throws IOException {
        return new FileInputStream(readEnd());
    }

    /** Opens the write end as a stream of its own, which stays open after {@link #close()}. */
    OutputStream openOutput() throws IOException {
        return new FileOutputStream(writeEnd());
    }

    private static int checkOpen(int fd) {
        if (fd < 0) {
            throw new IllegalStateException("The pipe is closed");
        }
        return fd;
    }

    /** Closes both descriptors created by {@link #open()}; streams opened from them stay open. */
    @Override
    public void close() throws SyscallException {
        int read = readFd;
        int write = writeFd;
        readFd = -1;
        writeFd = -1;
        try {
            if (read >= 0) {
                Syscalls.close(read);
            }
        } finally {
            if (write >= 0) {
                Syscalls.close(write);
            }
        }
    }
}
