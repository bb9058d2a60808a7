package io.vserver.shell.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * Relays a started process's output to the shell while it runs, for {@code vserver:exec} and
 * {@code vserver:spectate}.
 */
final class ProcessRelay {

    /** How long to wait for the output pipes to reach end of file after the process exited. */
    private static final long DRAIN_MILLIS = 2_000;

    /** How long an interrupted process gets to end after SIGTERM before it gets SIGKILL. */
    private static final long TERMINATE_SECONDS = 5;

    private ProcessRelay() {
    }

    /**
     * Copies the process's stdout to {@code out} and its stderr to {@code err} as the bytes
     * arrive, waits for it to exit and returns its exit status. The process's stdin is closed
     * at once, so a command that reads stdin reads end of file.
     *
     * <p>When the calling thread is interrupted (Ctrl-C in the Karaf console), the process
     * gets SIGTERM, then SIGKILL after {@value #TERMINATE_SECONDS} seconds. The method then prints
     * what it did, restores the interrupt flag and returns the exit status.
     *
     * @param label names the copying threads, for example {@code exec-web1}
     */
    static int relay(Process process, String label, PrintStream out, PrintStream err) {
        closeQuietly(process.getOutputStream());
        // The copying threads are started from the command's thread because Karaf's System.out
        // and System.err find the session's streams through Felix Gogo's ThreadIOImpl, an
        // InheritableThreadLocal that new threads copy.
        Thread stdout = startCopy(process.getInputStream(), out, label + "-stdout");
        Thread stderr = startCopy(process.getErrorStream(), err, label + "-stderr");
        int status;
        try {
            status = process.waitFor();
        } catch (InterruptedException e) {
            status = terminate(process);
            err.println("interrupted: the command was stopped with exit status " + status);
            Thread.currentThread().interrupt();
            return status;
        }
        // NOTE: a background child of the command that keeps the pipes open delays end of file.
        // The relay then returns after DRAIN_MILLIS, and the daemon copying threads go on
        // writing that child's output to the ended command's streams, where it may be lost.
        joinQuietly(stdout);
        joinQuietly(stderr);
        return status;
    }

    /**
     * Relays the process's standard output and standard error to the shell's System.out and
     * returns its exit status as the command's result. Both go to System.out because what a
     * command writes to System.err does not reach a {@code bin/client -b} session in Karaf
     * 4.4.10, and an operator must see why a command failed. A non-zero status is printed
     * too, because the Karaf console (ConsoleSessionImpl) does not print an Integer result;
     * over SSH ({@code ssh ... vserver:exec ...} or bin/client), Karaf's ShellCommand exits
     * with it.
     */
    static Integer relayToShell(Process process, String label) {
        int status = relay(process, label, System.out, System.out);
        if (status != 0) {
            System.out.println("command exited with status " + status);
        }
        return status;
    }

    private static Thread startCopy(InputStream source, PrintStream target, String name) {
        Thread thread = new Thread(() -> copy(source, target), name);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static void copy(InputStream source, PrintStream target) {
        byte[] buffer = new byte[8192];
        try (source) {
            int count;
            while ((count = source.read(buffer)) >= 0) {
                target.write(buffer, 0, count);
                target.flush();
            }
        } catch (IOException e) {
            // The pipe was closed, so nothing is left to copy.
        }
    }

    private static int terminate(Process process) {
        process.destroy();
        try {
            if (!process.waitFor(TERMINATE_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
        }
        // SIGKILL ends the process promptly, so this wait ignores further interrupts.
        return process.onExit().join().exitValue();
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join(DRAIN_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(OutputStream stream) {
        try {
            stream.close();
        } catch (IOException e) {
            // Closing the stdin of a process that already exited can fail, and nothing is left to close then.
        }
    }
}
