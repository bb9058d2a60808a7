package io.vserver.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Test;

public class ProcessRelayTest {

    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(outBytes, true, StandardCharsets.UTF_8);
    private final PrintStream err = new PrintStream(errBytes, true, StandardCharsets.UTF_8);

    @Test
    public void relayCopiesOutputAndReturnsStatus() throws IOException {
        Process process = new ProcessBuilder("/bin/sh", "-c", "echo out; echo err >&2; exit 3").start();

        int status = ProcessRelay.relay(process, "test", out, err);

        assertEquals(3, status);
        assertEquals("out\n", outBytes.toString(StandardCharsets.UTF_8));
        assertEquals("err\n", errBytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    public void relayClosesStdin() throws IOException {
        Process process = new ProcessBuilder("/bin/cat").start();

        int status = ProcessRelay.relay(process, "test", out, err);

        assertEquals(0, status);
        assertEquals("", outBytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    public void interruptTerminatesProcess() throws Exception {
        Process process = new ProcessBuilder("/bin/sleep", "60").start();
        AtomicInteger status = new AtomicInteger(-1);
        AtomicBoolean interruptKept = new AtomicBoolean();
        Thread relay = new Thread(() -> {
            status.set(ProcessRelay.relay(process, "test", out, err));
            interruptKept.set(Thread.currentThread().isInterrupted());
        });
        relay.start();

        relay.interrupt();
        relay.join(TimeUnit.SECONDS.toMillis(10));

        assertFalse("relay thread still runs", relay.isAlive());
        assertFalse("process still runs", process.isAlive());
        assertEquals("exit status after SIGTERM", 128 + 15, status.get());
        assertTrue("interrupt flag restored", interruptKept.get());
        assertTrue(errBytes.toString(StandardCharsets.UTF_8).contains("interrupted"));
    }
}
