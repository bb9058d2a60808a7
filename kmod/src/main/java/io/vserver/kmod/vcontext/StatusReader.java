package io.vserver.kmod.vcontext;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads the status lines of vcontext from its stdout in a daemon thread, so that the caller can
 * wait for the next line with a timeout, which a blocking pipe read cannot do.
 */
final class StatusReader {

    /** A queue entry: a line, or empty at the end of the stream. */
    private final BlockingQueue<Optional<String>> lines = new LinkedBlockingQueue<>();
    private final InputStream input;
    private final Thread thread;

    private StatusReader(InputStream input, String threadName) {
        this.input = input;
        this.thread = new Thread(this::readLines, threadName);
        this.thread.setDaemon(true);
    }

    /** Starts reading {@code input} in a daemon thread named {@code threadName}. */
    static StatusReader start(InputStream input, String threadName) {
        StatusReader reader = new StatusReader(input, threadName);
        reader.thread.start();
        return reader;
    }

    private void readLines() {
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(input, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (!line.isBlank()) {
                    lines.add(Optional.of(line));
                }
            }
        } catch (IOException e) {
            // A pipe that fails to read is taken as its end. The caller then reports the
            // missing status line, with vcontext's stderr and exit code.
        } finally {
            lines.add(Optional.empty());
        }
    }

    /**
     * Returns the next non-blank line, or empty when the stream has ended.
     *
     * @throws TimeoutException when no line and no end came within the timeout
     */
    Optional<String> next(Duration timeout) throws TimeoutException, InterruptedIOException {
        Optional<String> line;
        try {
            line = lines.poll(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while waiting for a status line of vcontext");
        }
        if (line == null) {
            throw new TimeoutException();
        }
        if (line.isEmpty()) {
            // Keeps the end visible to later calls.
            lines.add(line);
        }
        return line;
    }
}
