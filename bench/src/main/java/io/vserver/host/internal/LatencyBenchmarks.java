package io.vserver.host.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.vserver.api.GuestState;
import io.vserver.api.GuestStatus;
import io.vserver.api.VServerException;

/**
 * The variants of the start and exec benchmarks through the host's guest service, the API
 * that {@code vserver:start} and {@code vserver:exec} call.
 */
final class LatencyBenchmarks {

    /** How long one start or exec may take before the benchmark fails. */
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    /**
     * How long the wait for a guest's end sleeps between two looks at its state. The host
     * offers no listener for state changes, so the measured end is late by up to this much
     * (plus the timer slack of the thread, 50 µs by default).
     */
    private static final long POLL_NANOS = 20_000;

    private LatencyBenchmarks() {
    }

    /**
     * Returns a variant that starts the defined guest {@code name}, whose init exits at once,
     * and waits until the host has seen the init end and released the run. Its figures are
     * the whole time ({@code label}) and the time until {@link GuestService#start} returned,
     * when the init executes ({@code label-start-call}).
     */
    static InterleavedRuns.Variant start(GuestService service, String name, String label) {
        return new InterleavedRuns.Variant() {
            @Override
            public List<String> figures() {
                return List.of(label, label + "-start-call");
            }

            @Override
            public long[] measure() throws VServerException {
                long begin = System.nanoTime();
                service.start(name);
                long started = System.nanoTime();
                awaitStopped(service, name);
                long end = System.nanoTime();
                return new long[] {end - begin, started - begin};
            }
        };
    }

    /**
     * Returns a variant that executes {@code /bin/true} in the running guest {@code name} and
     * waits for it to exit. Its figures are the whole time ({@code label}) and the time until
     * {@link GuestService#exec} returned the started process ({@code label-spawn}).
     */
    static InterleavedRuns.Variant exec(GuestService service, String name, String label) {
        return new InterleavedRuns.Variant() {
            @Override
            public List<String> figures() {
                return List.of(label, label + "-spawn");
            }

            @Override
            public long[] measure() throws VServerException, IOException, InterruptedException {
                long begin = System.nanoTime();
                Process process = service.exec(name, List.of("/bin/true"));
                long spawned = System.nanoTime();
                process.getOutputStream().close();
                if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    throw new IOException("guest " + name + ": exec of /bin/true did not end within "
                            + TIMEOUT.toSeconds() + " s");
                }
                long end = System.nanoTime();
                String error = new String(process.getErrorStream().readAllBytes());
                process.getInputStream().close();
                if (process.exitValue() != 0) {
                    throw new IOException("guest " + name + ": exec of /bin/true exited with code "
                            + process.exitValue() + ": " + error.strip());
                }
                return new long[] {end - begin, spawned - begin};
            }
        };
    }

    /**
     * Waits until guest {@code name} is STOPPED.
     *
     * @throws VServerException when the guest failed, or did not stop within {@link #TIMEOUT}
     */
    static void awaitStopped(GuestService service, String name) throws VServerException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            GuestStatus status = service.status(name);
            if (status.state() == GuestState.STOPPED) {
                return;
            }
            if (status.state() == GuestState.FAILED) {
                throw new VServerException("guest " + name + " failed: " + status.failure().message());
            }
            if (System.nanoTime() > deadline) {
                throw new VServerException("guest " + name + " did not stop within " + TIMEOUT.toSeconds()
                        + " s: state " + status.state());
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }
}
