package io.vserver.kmod.vcontext;

import io.vserver.kmod.internal.Deadline;
import io.vserver.kmod.internal.FlatJson;
import io.vserver.kmod.libc.Errno;
import io.vserver.kmod.libc.Pidfd;
import io.vserver.kmod.libc.Signal;
import io.vserver.kmod.libc.SyscallException;
import io.vserver.kmod.proc.ProcFs;
import io.vserver.kmod.proc.ProcessIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One run of {@code vcontext create --sync}: start the process, read the pid line, run the
 * attach step, send {@code go}, read the exec line. vcontext's stdin is the sync channel and its
 * stdout the status channel; its stderr is collected for messages.
 *
 * <p>Once the pid is known, every failure ends with the guest gone: the session closes the sync
 * channel (vcontext then kills the init), kills the init itself through a pidfd if vcontext does
 * not end in time, and waits for the monitor to exit.
 */
final class CreateSession implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CreateSession.class);

    private static final int STDERR_LIMIT = 64 * 1024;
    /** How long to wait for the rest of stderr once vcontext has reported or ended. */
    private static final Duration STDERR_GRACE = Duration.ofSeconds(2);

    private final CreateRequest request;
    private final List<String> command;
    private final Duration timeout;
    private final ProcFs proc;
    private Process process;
    private StatusReader status;
    private StreamCollector stderr;
    private OutputStream syncOutput;
    private Pidfd initPidfd;
    private Pidfd monitorPidfd;

    CreateSession(Path program, CreateRequest request, Duration timeout, ProcFs proc) {
        this.request = request;
        this.command = request.toArguments(program);
        this.command.add(2, "--sync");
        this.timeout = timeout;
        this.proc = proc;
    }

    Launch run(Attach attach) throws IOException {
        start();
        Map<String, Object> pidLine = awaitEvent("pid", Deadline.after(timeout));
        int pid = requireInt(pidLine, "pid");
        int monitor = requireInt(pidLine, "monitor");
        LOG.debug("vcontext cloned the init of {} as pid {}, monitor pid {}", request.describe(), pid,
                monitor);
        try {
            monitorPidfd = Pidfd.open(monitor);
            initPidfd = Pidfd.open(pid);
            Launch launch = new Launch(identity(pid), identity(monitor));
            attach.accept(pid);
            sendGo();
            awaitEvent("exec", Deadline.after(timeout));
            return launch;
        } catch (Throwable failure) {
            endGuest(failure);
            VContextException reported = reportedFailure(failure);
            if (reported != null) {
                throw reported;
            }
            throw failure;
        }
    }

    /**
     * Returns the failure of a setup step that vcontext reported while the attach step ran, or
     * null. The init sets up the guest's file system during the attach step, so a failing mount
     * can end it while {@code attach} places its pid in a cgroup. That step is then the cause of
     * {@code failure}, which is added to the returned exception as suppressed. An {@code abort}
     * error is only vcontext's reply to the closed sync channel, so it never replaces
     * {@code failure}. Call only after {@link #endGuest}, when vcontext has written its last
     * status line.
     */
    private VContextException reportedFailure(Throwable failure) {
        if (failure instanceof VContextException || status == null) {
            return null;
        }
        Deadline deadline = Deadline.after(STDERR_GRACE);
        try {
            Optional<String> text;
            while ((text = status.next(Duration.ofMillis(deadline.remainingMillis()))).isPresent()) {
                Map<String, Object> line = FlatJson.parseObject(text.get());
                if ("error".equals(line.get("event")) && !"abort".equals(line.get("step"))) {
                    VContextException reported = failureOf(line);
                    reported.addSuppressed(failure);
                    return reported;
                }
            }
        } catch (TimeoutException | IOException | IllegalArgumentException e) {
            failure.addSuppressed(e);
        }
        return null;
    }

    /**
     * Starts vcontext with pipes of this JVM as stdin (sync), stdout (status) and stderr, so that
     * they stay open when the started process exits and its monitor carries on.
     */
    private void start() throws IOException {
        LOG.debug("Starting {}", command);
        String threadName = "vcontext create " + request.describe();
        try (Pipe sync = Pipe.open(); Pipe statusPipe = Pipe.open(); Pipe stderrPipe = Pipe.open()) {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(Redirect.from(sync.readEnd()))
                    .redirectOutput(Redirect.to(statusPipe.writeEnd()))
                    .redirectError(Redirect.to(stderrPipe.writeEnd()));
            syncOutput = sync.openOutput();
            status = StatusReader.start(statusPipe.openInput(), threadName + " status");
            stderr = StreamCollector.start(stderrPipe.openInput(), STDERR_LIMIT, threadName + " stderr");
            process = builder.start();
        }
    }

    /**
     * Waits for the status line of an event and returns it.
     *
     * @throws VContextException with vcontext's step and errno for an error line, or a protocol
     *                           failure when the stream ends, a line is invalid or none comes
     *                           before the deadline
     */
    private Map<String, Object> awaitEvent(String event, Deadline deadline) throws IOException {
        String expected = event + " status line";
        Optional<String> text;
        try {
            text = status.next(Duration.ofMillis(deadline.remainingMillis()));
        } catch (TimeoutException e) {
            throw protocolFailure("vcontext sent no " + expected + " within " + timeout.toMillis()
                    + " ms", stderr.text());
        }
        if (text.isEmpty()) {
            throw protocolFailure("vcontext ended without a " + expected + exitCodeText(),
                    stderr.awaitText(STDERR_GRACE));
        }
        Map<String, Object> line;
        try {
            line = FlatJson.parseObject(text.get());
        } catch (IllegalArgumentException e) {
            throw protocolFailure("invalid status line where a " + expected + " was expected: "
                    + e.getMessage(), stderr.text());
        }
        Object received = line.get("event");
        if ("error".equals(received)) {
            throw failureOf(line);
        }
        if (!event.equals(received)) {
            throw protocolFailure("unexpected status line " + text.get() + " where a " + expected
                    + " was expected", stderr.text());
        }
        return line;
    }

    private VContextException failureOf(Map<String, Object> errorLine) throws InterruptedIOException {
        // vcontext ends right after its error line, so stderr is complete once it closes.
        String stderrText = stderr.awaitText(STDERR_GRACE);
        try {
            return VContextException.fromStatusLine(errorLine, stderrText);
        } catch (IllegalArgumentException e) {
            return protocolFailure("invalid error status line: " + e.getMessage(), stderrText);
        }
    }

    private int requireInt(Map<String, Object> line, String member) throws VContextException {
        try {
            return FlatJson.requireInt(line, member);
        } catch (IllegalArgumentException e) {
            throw protocolFailure("invalid status line: " + e.getMessage(), stderr.text());
        }
    }

    private String exitCodeText() throws InterruptedIOException {
        try {
            if (process.waitFor(STDERR_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                return " (vcontext exited with code " + process.exitValue() + ")";
            }
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting for vcontext to exit");
        }
    }

    private VContextException protocolFailure(String reason, String stderrText) {
        return VContextException.protocol("create", request.describe(), reason, stderrText);
    }

    private ProcessIdentity identity(int pid) throws SyscallException {
        return proc.stat(pid).identity();
    }

    private void sendGo() {
        try {
            syncOutput.write("go\n".getBytes(StandardCharsets.US_ASCII));
            syncOutput.flush();
        } catch (IOException e) {
            // A monitor that already ended closed the pipe, and its status line gives the reason.
            LOG.debug("Sending go to vcontext for {} failed: {}", request.describe(), e.getMessage());
        }
    }

    /**
     * Ends a guest whose start failed after its pid was reported. Closing the sync channel makes
     * vcontext kill an init that still waits for go. An init whose monitor does not end in time
     * is killed through its pidfd. Failures of this cleanup are added to {@code failure} as
     * suppressed exceptions.
     */
    private void endGuest(Throwable failure) {
        try {
            closeSync();
            if (monitorPidfd == null) {
                return;
            }
            if (!monitorPidfd.awaitExit(timeout)) {
                LOG.warn("vcontext monitor pid {} of {} did not end {} ms after the start failed; "
                        + "killing the init", monitorPidfd.pid(), request.describe(), timeout.toMillis());
                killInit();
                if (!monitorPidfd.awaitExit(timeout)) {
                    failure.addSuppressed(protocolFailure("vcontext monitor pid " + monitorPidfd.pid()
                            + " did not end " + timeout.toMillis() + " ms after its init was killed",
                            stderr.text()));
                }
            }
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    private void killInit() throws SyscallException {
        if (initPidfd == null) {
            return;
        }
        try {
            initPidfd.sendSignal(Signal.SIGKILL);
        } catch (SyscallException e) {
            if (e.errno() != Errno.ESRCH) {
                throw e;
            }
        }
    }

    private void closeSync() {
        if (syncOutput == null) {
            return;
        }
        OutputStream closing = syncOutput;
        syncOutput = null;
        try {
            closing.close();
        } catch (IOException e) {
            // Closing a pipe whose reader has gone fails with EPIPE; the reader is gone either way.
            LOG.debug("Closing the sync channel of vcontext for {}: {}", request.describe(),
                    e.getMessage());
        }
    }

    /**
     * Closes the sync channel and the pidfds, and reaps the vcontext process, which exits as soon
     * as its detached monitor runs.
     */
    @Override
    public void close() throws IOException {
        closeSync();
        try {
            if (process != null && !process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("vcontext process {} for {} did not exit within {} ms; killing it",
                        process.pid(), request.describe(), timeout.toMillis());
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting for vcontext to exit");
        } finally {
            closePidfds();
        }
    }

    private void closePidfds() throws SyscallException {
        try {
            if (initPidfd != null) {
                initPidfd.close();
            }
        } finally {
            if (monitorPidfd != null) {
                monitorPidfd.close();
            }
        }
    }
}
