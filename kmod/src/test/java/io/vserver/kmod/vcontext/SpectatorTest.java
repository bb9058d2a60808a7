package io.vserver.kmod.vcontext;

import io.vserver.kmod.cgroup.Cgroup;
import io.vserver.kmod.cgroup.CgroupHierarchies;
import io.vserver.kmod.cgroup.CgroupHierarchy;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * Runs busybox commands in the spectator context with vcontext spectate while a real guest
 * runs; needs root and Landlock ABI 6 (Linux 6.12).
 */
public class SpectatorTest {

    @Rule
    public final GuestRule guests = new GuestRule();

    /**
     * Skips the test with a visible reason when vcontext reports that the kernel lacks Landlock
     * ABI 6, but fails it when the environment variable CI is set, because CI must not skip.
     */
    @Before
    public void requireLandlock() throws Exception {
        Spectated probe = spectate(SpectateRequest.builder().argv("/bin/busybox", "true").build());
        if (probe.exitCode() == 125 && probe.stderr().contains("vcontext: landlock")) {
            String reason = "needs Landlock ABI 6 (Linux 6.12): " + probe.stderr().trim();
            if (System.getenv("CI") != null) {
                fail("CI is set, so this test must run, but it " + reason);
            }
            Assume.assumeTrue("Skipped: " + reason, false);
        }
        assertEquals("vcontext spectate of busybox true; stderr: " + probe.stderr(), 0, probe.exitCode());
    }

    /** The captured output of a spectator command that ran to its end. */
    private record Spectated(int exitCode, String stdout, String stderr) {

        /** Returns the lines between the marker {@code == NAME} and the next marker. */
        List<String> section(String name) {
            List<String> lines = new ArrayList<>();
            boolean inside = false;
            boolean found = false;
            for (String line : stdout.split("\n")) {
                if (line.startsWith("== ")) {
                    inside = line.equals("== " + name);
                    found |= inside;
                } else if (inside) {
                    lines.add(line);
                }
            }
            if (!found) {
                fail("The spectator output has no section \"" + name + "\":\n" + stdout + "\nstderr:\n" + stderr);
            }
            return lines;
        }
    }

    private Spectated spectate(SpectateRequest request) throws Exception {
        Process process = guests.vcontext().startSpectate(request);
        process.getOutputStream().close();
        CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readAll(process));
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(GuestRule.WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            fail("The spectator did not end within " + GuestRule.WAIT.toMillis() + " ms: " + request);
        }
        return new Spectated(process.exitValue(), stdout,
                new String(stderr.get(GuestRule.WAIT.toMillis(), TimeUnit.MILLISECONDS), StandardCharsets.UTF_8));
    }

    private static byte[] readAll(Process process) {
        try {
            return process.getErrorStream().readAllBytes();
        } catch (IOException e) {
            return ("reading stderr failed: " + e).getBytes(StandardCharsets.UTF_8);
        }
    }

    private static String script(String... sections) {
        return String.join("", sections);
    }

    /** Returns the script part that prints {@code == NAME}, runs {@code command} and prints its exit status. */
    private static String section(String name, String command) {
        return "echo '== " + name + "'; " + command + " 2>&1; echo \"exit $?\"; ";
    }

    /** Returns the spectator cgroup {@code TEST_PARENT/spectator}, created in every hierarchy. */
    private Cgroup createSpectatorCgroup() throws IOException {
        String guestPath = guests.guestCgroup().path();
        String parent = guestPath.substring(0, guestPath.lastIndexOf('/'));
        Cgroup spectator = CgroupHierarchies.discover().group(parent + "/spectator");
        spectator.create();
        return spectator;
    }

    private static List<Path> directories(Cgroup group) {
        List<Path> directories = new ArrayList<>();
        for (CgroupHierarchy hierarchy : group.hierarchies().all()) {
            directories.add(group.directory(hierarchy));
        }
        return directories;
    }

    @Test
    public void spectatorSeesEveryProcessButSignalsNone() throws Exception {
        Launch guest = guests.start(guests.request("watched").init("/bin/sleep", "600").build());
        Process hostSleep = new ProcessBuilder("/bin/sleep", "600").start();
        try {
            Spectated result = spectate(SpectateRequest.builder()
                    .argv("/bin/busybox", "sh", "-c", script(
                            section("proc", "/bin/busybox ls /proc"),
                            section("kill-guest", "kill -0 " + guest.pid()),
                            section("kill-host", "kill -0 " + hostSleep.pid())))
                    .build());

            assertEquals(result.stderr(), 0, result.exitCode());
            List<String> proc = result.section("proc");
            assertTrue("ls /proc lists the guest init " + guest.pid() + ": " + proc,
                    proc.contains(Integer.toString(guest.pid())));
            assertTrue("ls /proc lists the test JVM: " + proc,
                    proc.contains(Long.toString(ProcessHandle.current().pid())));
            assertDenied("kill -0 of the guest init", result.section("kill-guest"));
            assertDenied("kill -0 of a host process", result.section("kill-host"));
            assertTrue("the guest init survives", guests.isRunning(guest.init()));
            assertTrue("the host process survives", hostSleep.isAlive());
        } finally {
            hostSleep.destroyForcibly();
            hostSleep.waitFor();
        }
    }

    private static void assertDenied(String action, List<String> lines) {
        assertTrue(action + " prints Operation not permitted: " + lines,
                String.join("\n", lines).contains("Operation not permitted"));
        assertEquals(action + " fails: " + lines, "exit 1", lines.get(lines.size() - 1));
    }

    @Test
    public void spectatorReadsButCannotWriteFiles() throws Exception {
        Path directory = guests.newDirectory("files");
        Files.writeString(directory.resolve("data.txt"), "visible\n");

        Spectated result = spectate(SpectateRequest.builder()
                .argv("/bin/busybox", "sh", "-c", script(
                        section("read", "/bin/busybox cat " + directory.resolve("data.txt")),
                        section("create", "echo x > " + directory.resolve("new.txt")),
                        section("truncate", "echo x > " + directory.resolve("data.txt")),
                        section("remove", "/bin/busybox rm " + directory.resolve("data.txt")),
                        section("dev-null", "echo x > /dev/null")))
                .build());

        assertEquals(result.stderr(), 0, result.exitCode());
        assertEquals(List.of("visible", "exit 0"), result.section("read"));
        assertFails("creating a file", result.section("create"));
        assertFails("truncating a file", result.section("truncate"));
        assertFails("removing a file", result.section("remove"));
        assertEquals(List.of("exit 0"), result.section("dev-null"));
        assertFalse(Files.exists(directory.resolve("new.txt")));
        assertEquals("visible\n", Files.readString(directory.resolve("data.txt")));
    }

    private static void assertFails(String action, List<String> lines) {
        assertFalse(action + " fails: " + lines, lines.contains("exit 0"));
    }

    @Test
    public void spectatorJoinsCgroupsAndDropsPrivileges() throws Exception {
        Cgroup spectator = createSpectatorCgroup();

        Spectated result = spectate(SpectateRequest.builder()
                .cgroups(directories(spectator))
                .chdir("/proc")
                .env("MARK", "spectator")
                .argv("/bin/busybox", "sh", "-c", script(
                        section("cgroup", "/bin/busybox cat /proc/self/cgroup"),
                        section("status", "/bin/busybox grep -E '^(Cap|NoNewPrivs)' /proc/self/status"),
                        section("cwd", "echo \"$PWD $MARK\"")))
                .build());

        assertEquals(result.stderr(), 0, result.exitCode());
        for (String line : result.section("cgroup")) {
            if (!line.startsWith("exit")) {
                String path = line.substring(line.indexOf(':', line.indexOf(':') + 1) + 1);
                assertEquals("cgroup of the spectator in " + line, "/" + spectator.path(), path);
            }
        }
        for (String line : result.section("status")) {
            if (line.startsWith("Cap")) {
                assertTrue("every capability set is empty: " + line, line.endsWith("0000000000000000"));
            }
        }
        assertTrue(result.section("status").contains("NoNewPrivs:\t1"));
        assertEquals(List.of("/proc spectator", "exit 0"), result.section("cwd"));
    }

    @Test
    public void spectatorCannotSetForeignLimits() throws Exception {
        Path prlimit = Path.of("/usr/bin/prlimit");
        if (!Files.isExecutable(prlimit)) {
            fail(prlimit + " is missing: install the Debian package util-linux");
        }
        Process hostSleep = new ProcessBuilder("/bin/sleep", "600").start();
        try {
            String before = limitsOf(hostSleep);

            Spectated result = spectate(SpectateRequest.builder()
                    .argv("/bin/busybox", "sh", "-c", script(
                            section("foreign", prlimit + " --pid " + hostSleep.pid() + " --nofile=64:64"),
                            section("own", prlimit + " --nofile=64:64 " + prlimit + " --nofile --noheadings")))
                    .build());

            assertEquals(result.stderr(), 0, result.exitCode());
            assertDenied("prlimit of a host process", result.section("foreign"));
            assertEquals(before, limitsOf(hostSleep));
            List<String> own = result.section("own");
            assertEquals("prlimit of its own child: " + own, "exit 0", own.get(own.size() - 1));
            assertTrue("the child has the lowered limit: " + own, own.get(0).trim().matches(".*\\s64\\s+64\\s.*"));
        } finally {
            hostSleep.destroyForcibly();
            hostSleep.waitFor();
        }
    }

    private static String limitsOf(Process process) throws IOException {
        return Files.readString(Path.of("/proc/" + process.pid() + "/limits"));
    }

    @Test
    public void missingCommandFailsWithExitCode127() throws Exception {
        Spectated result = spectate(SpectateRequest.builder().argv("/nonexistent/command").build());

        assertEquals(127, result.exitCode());
        assertTrue(result.stderr(), result.stderr().contains("exec /nonexistent/command"));
    }
}
