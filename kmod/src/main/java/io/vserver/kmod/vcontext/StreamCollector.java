package io.vserver.kmod.vcontext;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Drains a stream of a child process in its own daemon thread, so that the child does not block
 * on a full pipe, and keeps its first bytes up to a limit. Bytes past the limit are read and
 * dropped, and {@link #text()} then ends with a line that states how many.
 */
final class StreamCollector {

    private final InputStream input;
    private final int limit;
    private final ByteArrayOutputStream content = new ByteArrayOutputStream();
    private final Thread thread;
    private long dropped;
    private IOException failure;

    private StreamCollector(InputStream input, int limit, String threadName) {
        this.input = input;
        this.limit = limit;
        this.thread = new Thread(this::drain, threadName);
        this.thread.setDaemon(true);
    }

    /** Starts draining {@code input} in a daemon thread named {@code threadName}. */
    static StreamCollector start(InputStream input, int limit, String threadName) {
        StreamCollector collector = new StreamCollector(input, limit, threadName);
        collector.thread.start();
        return collector;
    }

    private void drain() {
        byte[] chunk = new byte[8192];
        try (InputStream in = input) {
            int count;
            while ((count = in.read(chunk)) >= 0) {
                append(chunk, count);
            }
        } catch (IOException e) {
            synchronized (this) {
                failure = e;
            }
        }
    }

    private synchronized void append(byte[] chunk, int count) {
        int kept = Math.max(0, Math.min(count, limit - content.size()));
        content.write(chunk, 0, kept);
        dropped += count - kept;
    }

    /**
     * Waits until the stream ends or the timeout passes, and returns what was read so far. A
     * stream that another process keeps open, such as a background job of an entered command,
     * may outlast the process that was started.
     */
    String awaitText(Duration timeout) throws InterruptedIOException {
        try {
            thread.join(Math.max(1, timeout.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("Interrupted while reading the output of vcontext");
        }
        return text();
    }

    /** Returns true once the stream has ended. */
    boolean isFinished() {
        return !thread.isAlive();
    }

    /** Returns the text read so far, decoded as UTF-8 with invalid bytes replaced. */
    synchronized String text() {
        StringBuilder text = new StringBuilder(content.toString(StandardCharsets.UTF_8));
        if (dropped > 0) {
            text.append("\n[").append(dropped).append(" more bytes dropped after the first ")
                    .append(limit).append("]\n");
        }
        if (failure != null) {
            text.append("\n[reading the stream failed: ").append(failure.getMessage()).append("]\n");
        }
        return text.toString();
    }
}
