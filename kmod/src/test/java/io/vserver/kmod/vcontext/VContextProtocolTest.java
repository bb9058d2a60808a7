package io.vserver.kmod.vcontext;

import io.vserver.kmod.proc.ProcFs;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * Runs the client against shell scripts that play vcontext's part of the status protocol, one
 * behaviour each, so that every branch of the client runs without root. Each script uses its
 * own pid as the pid of the init and of the monitor.
 */
public class VContextProtocolTest {

    private static final String PID_LINE = "echo '{\"event\":\"pid\",\"pid\":'$$',\"monitor\":'$$'}'\n";

    @Rule
    public final TemporaryFolder folder = new TemporaryFolder();

    private VContext fakeVcontext(String body) throws IOException {
        Path script = folder.getRoot().toPath().resolve("fake-vcontext");
        Files.writeString(script, "#!/bin/sh\n" + body);
        script.toFile().setExecutable(true);
        return new VContext(script, Duration.ofMillis(1500));
    }

    private CreateRequest request() throws IOException {
        return CreateRequest.builder(folder.newFolder("root").toPath()).name("web1").init("/sbin/init").build();
    }

    private VContextException createFails(VContext vcontext) throws Exception {
        try {
            vcontext.create(request(), Attach.nothing());
        } catch (VContextException e) {
            return e;
        }
        throw new AssertionError("create succeeded");
    }

    @Test
    public void goLeadsToLaunch() throws Exception {
        VContext vcontext = fakeVcontext(PID_LINE
                + "read line\n"
                + "[ \"$line\" = go ] && echo '{\"event\":\"exec\",\"pid\":'$$'}'\n");
        List<Integer> attached = new ArrayList<>();

        Launch launch = vcontext.create(request(), attached::add);

        assertEquals(List.of(launch.pid()), attached);
        assertEquals(launch.pid(), launch.monitorPid());
        assertTrue(launch.init().startTime() > 0);
    }

    @Test
    public void errorLineBecomesException() throws Exception {
        VContext vcontext = fakeVcontext(PID_LINE
                + "read line\n"
                + "echo 'vcontext: pivot_root /var/lib/vserver/web1/rootfs: Invalid argument (EINVAL)' >&2\n"
                + "echo 'mount: a warning' >&2\n"
                + "echo '{\"event\":\"error\",\"step\":\"pivot_root\",\"object\":\"/var/lib/vserver/web1/rootfs\","
                + "\"errno\":22,\"errname\":\"EINVAL\",\"message\":\"Invalid argument\"}'\n"
                + "exit 125\n");

        VContextException e = createFails(vcontext);

        assertEquals("pivot_root", e.step());
        assertEquals("/var/lib/vserver/web1/rootfs", e.object());
        assertEquals(22, e.errno());
        assertEquals("EINVAL", e.errnoName());
        assertEquals("Invalid argument", e.reason());
        assertEquals("pivot_root /var/lib/vserver/web1/rootfs: Invalid argument (EINVAL)\nmount: a warning",
                e.getMessage());
        assertTrue(e.stderr(), e.stderr().contains("mount: a warning"));
    }

    @Test
    public void silentProgramTimesOut() throws Exception {
        VContextException e = createFails(fakeVcontext("exec sleep 30\n"));

        assertEquals("create guest web1: vcontext sent no pid status line within 1500 ms", e.getMessage());
        assertEquals(0, e.errno());
    }

    @Test
    public void silenceAfterGoTimesOut() throws Exception {
        VContextException e = createFails(fakeVcontext(PID_LINE + "read line\nexec sleep 30\n"));

        assertEquals("create guest web1: vcontext sent no exec status line within 1500 ms", e.getMessage());
    }

    @Test
    public void endWithoutLineFails() throws Exception {
        VContextException e = createFails(fakeVcontext("echo 'vcontext: out of luck' >&2\nexit 125\n"));

        assertEquals("create guest web1: vcontext ended without a pid status line "
                + "(vcontext exited with code 125)\nvcontext: out of luck", e.getMessage());
        assertEquals("vcontext: out of luck\n", e.stderr());
    }

    @Test
    public void invalidLineFails() throws Exception {
        VContextException e = createFails(fakeVcontext("echo 'hello there'\nsleep 5\n"));

        assertTrue(e.getMessage(), e.getMessage().startsWith(
                "create guest web1: invalid status line where a pid status line was expected: "));
    }

    @Test
    public void unexpectedEventFails() throws Exception {
        VContextException e = createFails(fakeVcontext("echo '{\"event\":\"exec\",\"pid\":1}'\n"));

        assertEquals("create guest web1: unexpected status line {\"event\":\"exec\",\"pid\":1} "
                + "where a pid status line was expected", e.getMessage());
    }

    @Test
    public void attachFailureClosesSyncChannel() throws Exception {
        Path received = folder.getRoot().toPath().resolve("received");
        VContext vcontext = fakeVcontext(PID_LINE
                + "if read line; then echo \"$line\" > " + received + "; exit 0; fi\n"
                + "echo '{\"event\":\"error\",\"step\":\"abort\",\"object\":\"fd 0\",\"errno\":125,"
                + "\"errname\":\"ECANCELED\",\"message\":\"end of file\"}'\n"
                + "exit 125\n");
        IOException failure = new IOException("attach failed");
        List<Integer> attached = new ArrayList<>();

        try {
            vcontext.create(request(), pid -> {
                attached.add(pid);
                throw failure;
            });
            fail("create succeeded");
        } catch (IOException e) {
            assertSame(failure, e);
        }

        assertFalse("the script received a line in place of end of file", Files.exists(received));
        assertEquals(1, attached.size());
        assertFalse("the fake monitor has exited",
                ProcFs.system().findStat(attached.get(0)).filter(stat -> !stat.isZombie()).isPresent());
    }

    @Test
    public void missingProgramFails() throws Exception {
        VContext vcontext = new VContext(folder.getRoot().toPath().resolve("no-such-vcontext"));

        try {
            vcontext.create(request(), Attach.nothing());
            fail("create succeeded");
        } catch (IOException e) {
            assertTrue(e.getMessage(), e.getMessage().contains("no-such-vcontext"));
        }
    }
}
