package io.vserver.kmod.vcontext;

import io.vserver.kmod.internal.FlatJson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One run of {@code vcontext enter} whose exit code and captured output the caller waits for. */
final class EnterSession {

    private static final Logger LOG = LoggerFactory.getLogger(EnterSession.class);

    private static final int OUTPUT_LIMIT = 16 * 1024 * 1024;
    /** How long a command may take to end after SIGTERM before vcontext gets SIGKILL. */
    private static final Duration TERMINATE_GRACE = Duration.ofSeconds(2);
    /**
     * How long to wait for the end of captured output after vcontext exited: a background job
     * of the command may keep the pipe open for much longer.
     */
    private static final Duration OUTPUT_GRACE = Duration.ofSeconds(2);
    private static final String ERROR_LINE_START = "{\"event\":\"error\"";

    private final EnterRequest request;
    private final List<String> command;
    private final Redirect output;
    private final Redirect error;
    private final Duration limit;
    private final boolean statusOnStderr;

    EnterSession(Path program, EnterRequest request, Redirect output, Redirect error, Duration limit) {
        this.request = request;
        this.command = request.toArguments(program);
        this.output = output;
        this.error = error;
        this.limit = limit;
        this.statusOnStderr = error.type() == Redirect.Type.PIPE;
        if (statusOnStderr) {
            command.add(2, "--status-fd");
            command.add(3, "2");
        }
    }

    EnterResult run() throws IOException {
        LOG.debug("Starting {}", command);
        Process process = new ProcessBuilder(command)
                .redirectInput(Redirect.from(new File("/dev/null")))
                .redirectOutput(output)
                .redirectError(error)
                .start();
        String threadName = "vcontext enter pid " + request.pid();
        StreamCollector stdout = output.type() == Redirect.Type.PIPE
                ? StreamCollector.start(process.getInputStream(), OUTPUT_LIMIT, threadName + " stdout")
                : null;
        StreamCollector stderr = statusOnStderr
                ? StreamCollector.start(process.getErrorStream(), OUTPUT_LIMIT, threadName + " stderr")
                : null;
        int exitCode = await(process, stderr);
        String stdoutText = stdout == null ? "" : stdout.awaitText(OUTPUT_GRACE);
        String stderrText = stderr == null ? "" : stderr.awaitText(OUTPUT_GRACE);
        if (statusOnStderr && isFailureCode(exitCode)) {
            checkErrorLine(stderrText);
        }
        return new EnterResult(exitCode, stdoutText, stderrText);
    }

    private int await(Process process, StreamCollector stderr) throws IOException {
        try {
            if (limit == null) {
                return process.waitFor();
            }
            if (process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                return process.exitValue();
            }
            terminate(process);
            throw VContextException.protocol("enter", "pid " + request.pid(), "command "
                    + request.command() + " did not end within " + limit.toMillis()
                    + " ms and was terminated", stderr == null ? "" : stderr.text());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroy();
            throw new InterruptedIOException("Interrupted while waiting for command "
                    + request.command() + " in the guest of pid " + request.pid());
        }
    }

    /**
     * Sends SIGTERM to vcontext, which forwards it to the command, and SIGKILL when it has not
     * ended after the grace time.
     */
    private void terminate(Process process) throws InterruptedException {
        LOG.warn("Command {} in the guest of pid {} did not end within {} ms; terminating it",
                request.command(), request.pid(), limit.toMillis());
        process.destroy();
        if (!process.waitFor(TERMINATE_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
            // NOTE: SIGKILL ends vcontext but not the command, which it cannot forward; a
            // command that ignores SIGTERM keeps running in the guest.
            process.destroyForcibly();
            process.waitFor(TERMINATE_GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Returns true for the codes vcontext exits with when it fails itself or cannot execute. */
    private static boolean isFailureCode(int exitCode) {
        return exitCode == 125 || exitCode == 126 || exitCode == 127;
    }

    /**
     * Throws the failure of vcontext's JSON error line, the last such line on stderr. Without
     * one, the exit code is the command's own.
     */
    private void checkErrorLine(String stderrText) throws VContextException {
        List<String> lines = new ArrayList<>(List.of(stderrText.split("\n", -1)));
        for (int index = lines.size() - 1; index >= 0; index--) {
            String line = lines.get(index);
            if (!line.startsWith(ERROR_LINE_START)) {
                continue;
            }
            Map<String, Object> errorLine;
            try {
                errorLine = FlatJson.parseObject(line);
            } catch (IllegalArgumentException e) {
                return;
            }
            lines.remove(index);
            VContextException failure;
            try {
                failure = VContextException.fromStatusLine(errorLine, String.join("\n", lines));
            } catch (IllegalArgumentException e) {
                failure = VContextException.protocol("enter", "pid " + request.pid(),
                        "invalid error status line: " + e.getMessage(), stderrText);
            }
            throw failure;
        }
    }
}
