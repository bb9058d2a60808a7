package io.vserver.kmod.vcontext;

import io.vserver.kmod.caps.Capability;
import io.vserver.kmod.caps.CapabilitySet;
import io.vserver.kmod.proc.CgroupMembership;
import io.vserver.kmod.proc.ProcStatus;
import org.junit.Rule;
import org.junit.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** Runs commands inside a running busybox guest with vcontext enter; needs root. */
public class GuestEnterTest {

    private static final CapabilitySet BOUNDING = CapabilitySet.of(Capability.CAP_CHOWN,
            Capability.CAP_KILL, Capability.CAP_NET_BIND_SERVICE, Capability.CAP_SYS_CHROOT);

    @Rule
    public final GuestRule guests = new GuestRule();

    private Launch startGuest(String name) throws Exception {
        CreateRequest request = guests.request(name).bounding(BOUNDING).init("/bin/sleep", "600").build();
        return guests.start(request);
    }

    @Test
    public void enteredCommandAppearsInGuestPs() throws Exception {
        Launch guest = startGuest("ps");

        EnterResult result = guests.vcontext().enter(EnterRequest.builder(guest.pid())
                .command("/bin/sh", "-c", "echo $$; ps").build(), GuestRule.WAIT);

        assertEquals(result.stderr(), 0, result.exitCode());
        List<String> lines = List.of(result.stdout().split("\n"));
        String shellPid = lines.get(0).trim();
        Set<String> pids = new TreeSet<>();
        for (String line : lines.subList(2, lines.size())) {
            pids.add(line.trim().split("\\s+")[0]);
        }
        assertTrue("ps lists the guest init as pid 1:\n" + result.stdout(), pids.contains("1"));
        assertTrue("ps lists the entered shell:\n" + result.stdout(), pids.contains(shellPid));
        // The shell may run ps as a child or in its own process.
        assertTrue("ps lists only the init, the shell and ps:\n" + result.stdout(), pids.size() <= 3);
    }

    @Test
    public void enteredCommandJoinsGuestCgroups() throws Exception {
        Launch guest = startGuest("cgroup");
        Process process = guests.vcontext().startEnter(EnterRequest.builder(guest.pid())
                .command("/bin/sh", "-c", "echo ready; read line; exit 0").build());
        try {
            int commandPid = awaitCommand(process, stdoutOf(process));

            List<CgroupMembership> memberships = guests.proc().cgroups(commandPid);
            String expected = "/" + guests.guestCgroup().path();
            assertFalse(memberships.isEmpty());
            for (CgroupMembership membership : memberships) {
                assertEquals("cgroup of the entered command in " + membership, expected, membership.path());
            }
            assertEquals(guests.proc().cgroups(guest.pid()), memberships);
            assertTrue(guests.guestCgroup().pids().contains(commandPid));
        } finally {
            process.getOutputStream().close();
        }
        assertEquals(0, process.waitFor());
    }

    @Test
    public void enteredCommandHasGuestCapabilities() throws Exception {
        Launch guest = startGuest("caps");
        Process process = guests.vcontext().startEnter(EnterRequest.builder(guest.pid())
                .command("/bin/sh", "-c", "echo ready; read line; exit 0").build());
        try {
            int commandPid = awaitCommand(process, stdoutOf(process));

            ProcStatus init = guests.proc().status(guest.pid());
            ProcStatus command = guests.proc().status(commandPid);
            GuestIsolationTest.assertSameBits("CapBnd", BOUNDING, init.capBnd());
            GuestIsolationTest.assertSameBits("CapBnd", init.capBnd(), command.capBnd());
            GuestIsolationTest.assertSameBits("CapPrm", init.capPrm(), command.capPrm());
            GuestIsolationTest.assertSameBits("CapEff", init.capEff(), command.capEff());
            GuestIsolationTest.assertSameBits("CapInh", init.capInh(), command.capInh());
            GuestIsolationTest.assertSameBits("CapAmb", init.capAmb(), command.capAmb());
        } finally {
            process.getOutputStream().close();
        }
        assertEquals(0, process.waitFor());
    }

    private static BufferedReader stdoutOf(Process process) {
        return new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Reads the command's "ready" line and returns its host pid: the child of vcontext. */
    private static int awaitCommand(Process process, BufferedReader stdout) throws Exception {
        String line = stdout.readLine();
        if (!"ready".equals(line)) {
            fail("Entered command printed " + line + " in place of ready; stderr: "
                    + new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        List<ProcessHandle> children = process.toHandle().children().toList();
        assertEquals("children of vcontext enter " + children, 1, children.size());
        return (int) children.get(0).pid();
    }

    @Test
    public void enteredCommandRunsInGuestRoot() throws Exception {
        Launch guest = startGuest("cwd");
        Process process = guests.vcontext().startEnter(EnterRequest.builder(guest.pid())
                .command("/bin/sh", "-c", "echo ready; readlink /proc/self/cwd; read line; exit 0").build());
        try {
            BufferedReader stdout = stdoutOf(process);
            int commandPid = awaitCommand(process, stdout);

            assertEquals("/", stdout.readLine());
            Path hostView = Path.of("/proc", Integer.toString(commandPid), "cwd");
            assertTrue(hostView + " is the guest root " + guests.rootfs(),
                    Files.isSameFile(hostView, guests.rootfs()));
        } finally {
            process.getOutputStream().close();
        }
        assertEquals(0, process.waitFor());
    }

    @Test
    public void guestInitRunsInGuestRoot() throws Exception {
        Launch guest = startGuest("initcwd");

        Path hostView = Path.of("/proc", Integer.toString(guest.pid()), "cwd");
        assertTrue(hostView + " is the guest root " + guests.rootfs(),
                Files.isSameFile(hostView, guests.rootfs()));
    }

    @Test
    public void callerFdsAbsentInGuest() throws Exception {
        VContext withOpenFd = new VContext(programWithFd7());
        CreateRequest request = guests.request("fds").init("/bin/sh", "-c",
                GuestRun.section("fds", "ls /proc/self/fd")).build();

        List<String> fds = guests.runToExit(withOpenFd, request).section("fds");

        assertFalse("fd 7 of the caller reached the guest: " + fds, fds.contains("7"));
        assertEquals("fds of ls in the guest", List.of("0", "1", "2", "3"), fds);
    }

    @Test
    public void callerFdsAbsentInEnteredCommand() throws Exception {
        Launch guest = startGuest("enterfds");
        VContext withOpenFd = new VContext(programWithFd7());

        EnterResult result = withOpenFd.enter(EnterRequest.builder(guest.pid())
                .command("/bin/ls", "/proc/self/fd").build(), GuestRule.WAIT);

        assertEquals(result.stderr(), 0, result.exitCode());
        List<String> fds = List.of(result.stdout().trim().split("\n"));
        assertFalse("fd 7 of the caller reached the entered command: " + fds, fds.contains("7"));
        assertEquals("fds of ls in the guest", List.of("0", "1", "2", "3"), fds);
    }

    /**
     * Returns a program that opens fd 7 without close-on-exec and executes vcontext, because
     * the JVM starts every process with only fds 0, 1 and 2. A control run shows that the fd
     * does reach a program the wrapper executes.
     */
    private Path programWithFd7() throws Exception {
        Path wrapper = guests.directory().resolve("vcontext-with-fd-7");
        Files.writeString(wrapper, "#!/bin/sh\nexec 7</etc/hostname\nexec " + guests.program() + " \"$@\"\n");
        wrapper.toFile().setExecutable(true);

        Path control = guests.directory().resolve("ls-with-fd-7");
        Files.writeString(control, "#!/bin/sh\nexec 7</etc/hostname\nexec ls /proc/self/fd\n");
        control.toFile().setExecutable(true);
        Process process = new ProcessBuilder(control.toString()).redirectErrorStream(true).start();
        List<String> fds = List.of(new String(process.getInputStream().readAllBytes(),
                StandardCharsets.UTF_8).trim().split("\n"));
        assertEquals(0, process.waitFor());
        assertTrue("the wrapper passes fd 7 to what it executes: " + fds, fds.contains("7"));
        return wrapper;
    }

    @Test
    public void enterReturnsExitCodeAndOutput() throws Exception {
        Launch guest = startGuest("exit");

        EnterResult result = guests.vcontext().enter(EnterRequest.builder(guest.pid())
                .env("GREETING", "hello")
                .chdir("/etc")
                .command("/bin/sh", "-c", "echo $GREETING; pwd; echo oops >&2; exit 7").build(),
                GuestRule.WAIT);

        assertEquals(7, result.exitCode());
        assertEquals("hello\n/etc\n", result.stdout());
        assertEquals("oops\n", result.stderr());
    }

    @Test
    public void enterRedirectsOutputToFile() throws Exception {
        Launch guest = startGuest("redirect");
        Path output = guests.directory().resolve("entered-output.txt");

        EnterResult result = guests.vcontext().enter(EnterRequest.builder(guest.pid())
                .command("/bin/sh", "-c", "echo to-file; echo to-pipe >&2").build(),
                Redirect.to(output.toFile()), Redirect.PIPE, GuestRule.WAIT);

        assertEquals(0, result.exitCode());
        assertEquals("", result.stdout());
        assertEquals("to-pipe\n", result.stderr());
        assertEquals("to-file\n", Files.readString(output, StandardCharsets.UTF_8));
    }

    @Test
    public void enterEndsCommandAfterLimit() throws Exception {
        Launch guest = startGuest("limit");

        try {
            guests.vcontext().enter(EnterRequest.builder(guest.pid()).command("/bin/sleep", "600").build(),
                    Duration.ofMillis(500));
            fail("A command of 600 s ended within 500 ms");
        } catch (VContextException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("did not end within 500 ms"));
        }
        assertEquals("only the init is left in the guest", Set.of(guest.pid()), guests.guestCgroup().pids());
    }

    @Test
    public void enterReportsMissingCommand() throws Exception {
        Launch guest = startGuest("missing");

        try {
            guests.vcontext().enter(EnterRequest.builder(guest.pid()).command("/bin/no-such-command").build(),
                    GuestRule.WAIT);
            fail("Entering with a missing command succeeded");
        } catch (VContextException e) {
            assertEquals(e.getMessage(), "exec", e.step());
            assertEquals(e.getMessage(), "/bin/no-such-command", e.object());
            assertEquals(e.getMessage(), "ENOENT", e.errnoName());
        }
    }

    @Test
    public void enterReportsGoneGuest() throws Exception {
        Launch guest = startGuest("gone");
        guests.guestCgroup().killAll(GuestRule.WAIT);
        guests.awaitExit(guest.monitor());
        assertFalse("the monitor reaped the init", guests.proc().findStat(guest.pid()).isPresent());

        try {
            guests.vcontext().enter(EnterRequest.builder(guest.pid()).command("/bin/true").build(),
                    GuestRule.WAIT);
            fail("Entering an ended guest succeeded");
        } catch (VContextException e) {
            assertEquals(e.getMessage(), "setns", e.step());
            assertEquals(e.getMessage(), "/proc/" + guest.pid(), e.object());
            assertEquals(e.getMessage(), "ESRCH", e.errnoName());
        }
        assertEquals(new ArrayList<>(), new ArrayList<>(guests.guestCgroup().pids()));
    }
}
