package io.vserver.kmod.vcontext;

import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.vserver.kmod.vcontext.GuestRun.section;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * Starts busybox guests with and without vcontext's default seccomp filter. A small static
 * probe, compiled with gcc into the guest root, makes the filtered syscalls. Needs root.
 */
public class SeccompTest {

    /** The syscalls the probe makes that the default filter must reject. */
    private static final List<String> DENIED = List.of("keyctl", "add_key", "bpf", "perf_event_open",
            "open_by_handle_at", "swapon", "settimeofday", "clock_settime");

    private static final String PROBE = "/bin/seccomp-probe";

    @Rule
    public final GuestRule guests = new GuestRule();

    @Before
    public void compileProbe() throws Exception {
        Path source = guests.directory().resolve("seccomp-probe.c");
        try (InputStream in = SeccompTest.class.getResourceAsStream("seccomp-probe.c")) {
            Files.copy(in, source);
        }
        Path binary = guests.rootfs().resolve(PROBE.substring(1));
        Process gcc = new ProcessBuilder("gcc", "-static", "-O2", "-o", binary.toString(), source.toString())
                .redirectErrorStream(true).start();
        String output = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!gcc.waitFor(60, TimeUnit.SECONDS) || gcc.exitValue() != 0) {
            fail("gcc -static failed to build the probe (Debian packages gcc and libc6-dev):\n" + output);
        }
    }

    @Test
    public void defaultFilterRejectsHostWideSyscalls() throws Exception {
        GuestRun run = guests.runToExit(guests.request("filtered").init("/bin/sh", "-c",
                section("probe", probeCommand(DENIED) + " getpid")
                        + section("status", "grep '^Seccomp:' /proc/self/status")).build());

        List<String> expected = new ArrayList<>();
        DENIED.forEach(name -> expected.add(name + " EPERM"));
        expected.add("getpid ok");
        assertEquals(run.console(), expected, run.section("probe"));
        assertEquals(List.of("Seccomp:\t2"), run.section("status"));
    }

    @Test
    public void unconfinedGuestMakesSyscallsAsTheHost() throws Exception {
        List<String> onHost = runOnHost(List.of("keyctl", "bpf", "swapon"));
        GuestRun run = guests.runToExit(guests.request("unconfined").seccomp(Seccomp.UNCONFINED)
                .init("/bin/sh", "-c", section("probe", probeCommand(List.of("keyctl", "bpf", "swapon")))
                        + section("status", "grep '^Seccomp:' /proc/self/status")).build());

        assertEquals(run.console(), onHost, run.section("probe"));
        for (String line : onHost) {
            assertNotEquals("the host itself rejects " + line, "EPERM", line.split(" ")[1]);
        }
        assertEquals(List.of(hostSeccompLine()), run.section("status"));
    }

    @Test
    public void enteredCommandGetsTheInitsFilter() throws Exception {
        Launch guest = guests.start(guests.request("enter").init("/bin/sleep", "600").build());

        EnterResult result = guests.vcontext().enter(EnterRequest.builder(guest.pid())
                .command("/bin/sh", "-c", "grep '^Seccomp:' /proc/self/status; " + PROBE + " keyctl")
                .build(), GuestRule.WAIT);

        assertEquals(result.stderr(), 0, result.exitCode());
        assertEquals(List.of("Seccomp:\t2", "keyctl EPERM"), List.of(result.stdout().split("\n")));
    }

    @Test
    public void enterOfUnconfinedGuestCopiesMode() throws Exception {
        Launch guest = guests.start(guests.request("enter-unconfined").seccomp(Seccomp.UNCONFINED)
                .init("/bin/sleep", "600").build());

        EnterResult copied = guests.vcontext().enter(EnterRequest.builder(guest.pid())
                .command(PROBE, "keyctl").build(), GuestRule.WAIT);
        EnterResult filtered = guests.vcontext().enter(EnterRequest.builder(guest.pid())
                .seccomp(Seccomp.DEFAULT).command(PROBE, "keyctl").build(), GuestRule.WAIT);

        assertEquals(copied.stderr(), runOnHost(List.of("keyctl")), List.of(copied.stdout().split("\n")));
        assertEquals(filtered.stderr(), "keyctl EPERM\n", filtered.stdout());
    }

    private static String probeCommand(List<String> syscalls) {
        return PROBE + " " + String.join(" ", syscalls);
    }

    /** Runs the probe in the test's own process context, which has no filter of vcontext. */
    private List<String> runOnHost(List<String> syscalls) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(guests.rootfs().resolve(PROBE.substring(1)).toString());
        command.addAll(syscalls);
        Process probe = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("the probe ended on the host", probe.waitFor(10, TimeUnit.SECONDS));
        return List.of(output.split("\n"));
    }

    private static String hostSeccompLine() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Seccomp:")) {
                return line;
            }
        }
        throw new IOException("/proc/self/status has no Seccomp line");
    }
}
