package io.vserver.kmod.vcontext;

import io.vserver.kmod.proc.ProcFs;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The client of the native vcontext program: starts guests with {@code vcontext create}, runs
 * commands inside them with {@code vcontext enter} and in the spectator context with
 * {@code vcontext spectate}.
 *
 * <p>The client has no state besides the program and the timeout, so one instance may serve
 * any number of threads and guests. Guests do not depend on the JVM: each runs under its own
 * detached vcontext monitor, which writes {@code RUN_DIR/exit.json} when the init ends.
 */
public final class VContext {

    /** The default time vcontext has for each status line of a start. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final Path program;
    private final Duration timeout;
    private final ProcFs proc;

    /** Creates a client of the program at {@code program} with the {@link #DEFAULT_TIMEOUT}. */
    public VContext(Path program) {
        this(program, DEFAULT_TIMEOUT);
    }

    /**
     * Creates a client.
     *
     * @param program the vcontext program, such as the result of {@link VContextBinary#locate}
     * @param timeout how long vcontext has for each status line of a start, and for ending
     *                after a failed one
     */
    public VContext(Path program, Duration timeout) {
        if (program == null) {
            throw new IllegalArgumentException("Missing vcontext program path");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("Invalid vcontext timeout " + timeout
                    + ": expected a positive duration");
        }
        this.program = program;
        this.timeout = timeout;
        this.proc = ProcFs.system();
    }

    /** Returns the program this client runs. */
    public Path program() {
        return program;
    }

    /** Returns the time vcontext has for each status line of a start. */
    public Duration timeout() {
        return timeout;
    }

    /**
     * Starts a guest in two phases. vcontext clones the init into new namespaces and reports
     * its pid; the init then builds the guest's file system while {@code attach} runs (place the
     * pid in cgroups, attach network programs). When {@code attach} has returned, the init
     * creates its cgroup namespace, drops privileges and executes the init command, and vcontext
     * reports the exec. When the init's setup fails while {@code attach} runs, this method throws
     * vcontext's report of that step, with any failure of {@code attach} as suppressed.
     *
     * <p>When {@code attach} throws, this method closes the sync channel, so vcontext aborts and
     * kills the init. It waits until the monitor has ended and rethrows the exception. Any other
     * failure also leaves no process of the guest behind.
     *
     * @return the init and the monitor, each with its start time
     * @throws VContextException for a failure vcontext reports, with its step, object and errno,
     *                           and when vcontext ends or stays silent where a status line is
     *                           expected
     * @throws IOException       when the program cannot be started, or as thrown by
     *                           {@code attach}
     */
    public Launch create(CreateRequest request, Attach attach) throws IOException {
        try (CreateSession session = new CreateSession(program, request, timeout, proc)) {
            return session.run(attach);
        }
    }

    /**
     * Runs a command inside a guest with stdin from {@code /dev/null}, waits for it without a
     * time limit, and returns its exit code and captured output.
     *
     * @throws VContextException when vcontext cannot enter the guest or execute the command
     */
    public EnterResult enter(EnterRequest request) throws IOException {
        return enter(request, Redirect.PIPE, Redirect.PIPE, null);
    }

    /**
     * Runs a command inside a guest as {@link #enter(EnterRequest)} does, but ends it when it
     * runs longer than {@code limit}.
     *
     * @throws VContextException when vcontext cannot enter the guest or execute the command, or
     *                           when the command did not end in time
     */
    public EnterResult enter(EnterRequest request, Duration limit) throws IOException {
        return enter(request, Redirect.PIPE, Redirect.PIPE, limit);
    }

    /**
     * Runs a command inside a guest with stdin from {@code /dev/null} and its output captured
     * ({@link Redirect#PIPE}) or sent elsewhere, such as {@link Redirect#INHERIT} or a file.
     *
     * <p>Only with {@code error} captured can a failure of vcontext itself be distinguished from
     * the command's own exit code 125, 126 or 127. vcontext then writes its JSON error line to
     * stderr, and this method throws a {@link VContextException} in place of a result.
     * Captured output is kept up to 16 MiB per stream.
     *
     * @param limit how long the command may run, or {@code null} for no limit. When it passes,
     *              vcontext gets SIGTERM, which it forwards to the command, and SIGKILL 2 s
     *              later
     * @throws VContextException when vcontext reports a failure, or the command did not end in
     *                           time
     */
    public EnterResult enter(EnterRequest request, Redirect output, Redirect error, Duration limit)
            throws IOException {
        return new EnterSession(program, request, output, error, limit).run();
    }

    /**
     * Returns a process builder of {@code vcontext enter} for a request, with pipes for the
     * three standard streams, for callers that stream the command's input and output. The exit
     * value of the process is the command's, or 125 when vcontext failed (its message is then on
     * stderr), 126 when the command cannot be executed and 127 when it was not found.
     */
    public ProcessBuilder enterProcess(EnterRequest request) {
        return new ProcessBuilder(request.toArguments(program));
    }

    /** Starts {@link #enterProcess(EnterRequest)} and returns the process. */
    public Process startEnter(EnterRequest request) throws IOException {
        return enterProcess(request).start();
    }

    /**
     * Returns a process builder of {@code vcontext spectate} for a request, with pipes for the
     * three standard streams. vcontext confines itself and then executes the command in its
     * own process, so the process is the command once it runs. Its exit value is the
     * command's, or 125 when vcontext failed (its message is then on stderr, for example step
     * {@code landlock} on a kernel without Landlock ABI 6), 126 when the command cannot be
     * executed and 127 when it was not found.
     */
    public ProcessBuilder spectateProcess(SpectateRequest request) {
        return new ProcessBuilder(request.toArguments(program));
    }

    /** Starts {@link #spectateProcess(SpectateRequest)} and returns the process. */
    public Process startSpectate(SpectateRequest request) throws IOException {
        return spectateProcess(request).start();
    }

    /**
     * Reads the exit record the monitor writes to {@code RUN_DIR/exit.json} when the init ends.
     *
     * @throws java.nio.file.NoSuchFileException while the guest runs
     */
    public static ExitRecord readExit(Path runDirectory) throws IOException {
        return ExitRecord.read(runDirectory);
    }

    /** Reads the exit record of a run directory, or returns empty while the guest runs. */
    public static Optional<ExitRecord> findExit(Path runDirectory) throws IOException {
        return ExitRecord.find(runDirectory);
    }
}
