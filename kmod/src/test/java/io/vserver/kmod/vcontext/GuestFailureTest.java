package io.vserver.kmod.vcontext;

import io.vserver.kmod.proc.ProcessIdentity;
import org.junit.Rule;
import org.junit.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * Starts guests that must fail and checks the reported step and errno. Each test also checks
 * that no process, no mount and no member of the test cgroup is left behind. Needs root.
 */
public class GuestFailureTest {

    @Rule
    public final GuestRule guests = new GuestRule();

    /** The attach step of the tests: records the init and its monitor, then places the init in the cgroup. */
    private class RecordingAttach implements Attach {

        private final IOException failure;
        ProcessIdentity init;
        ProcessIdentity monitor;

        RecordingAttach(IOException failure) {
            this.failure = failure;
        }

        @Override
        public void accept(int pid) throws IOException {
            init = guests.proc().stat(pid).identity();
            int monitorPid = guests.proc().stat(pid).ppid();
            monitor = guests.proc().stat(monitorPid).identity();
            guests.guestCgroup().attach(pid);
            if (failure != null) {
                throw failure;
            }
        }
    }

    private VContextException createFails(CreateRequest request, RecordingAttach attach) throws Exception {
        try {
            Launch launch = guests.vcontext().create(request, attach);
            fail("Starting " + request + " succeeded with " + launch);
            return null;
        } catch (VContextException e) {
            return e;
        }
    }

    private void assertNothingLeft(RecordingAttach attach) throws Exception {
        if (attach.init != null) {
            assertFalse("the init " + attach.init + " still runs", guests.isRunning(attach.init));
            assertFalse("the monitor " + attach.monitor + " still runs", guests.isRunning(attach.monitor));
        }
        assertEquals("processes in " + guests.guestCgroup(), List.of(), List.copyOf(guests.guestCgroup().pids()));
        assertEquals("mounts of the test folder on the host", List.of(), guests.mountsInFolder());
        guests.guestCgroup().remove();
        assertFalse(guests.guestCgroup().exists());
    }

    @Test
    public void missingRootFails() throws Exception {
        Path missing = guests.directory().resolve("no-such-root");
        RecordingAttach attach = new RecordingAttach(null);

        VContextException e = createFails(CreateRequest.builder(missing).name("noroot")
                .init("/bin/true").build(), attach);

        assertEquals(e.getMessage(), "mount", e.step());
        assertEquals(e.getMessage(), missing.toString(), e.object());
        assertEquals(e.getMessage(), "ENOENT", e.errnoName());
        assertEquals("mount " + missing + ": No such file or directory (ENOENT)", e.getMessage());
        assertTrue("the init was cloned before the failure", attach.init != null);
        assertNothingLeft(attach);
    }

    @Test
    public void unknownCapabilityFails() throws Exception {
        RecordingAttach attach = new RecordingAttach(null);

        VContextException e = createFails(guests.request("badcap")
                .extraOptions("--cap-bounding", "chown,no_such_cap")
                .init("/bin/true").build(), attach);

        assertEquals(e.getMessage(), "parse", e.step());
        assertEquals(e.getMessage(), "no_such_cap", e.object());
        assertEquals(e.getMessage(), "EINVAL", e.errnoName());
        assertNull("vcontext rejects the list before it clones", attach.init);
        assertNothingLeft(attach);
    }

    @Test
    public void unknownOptionFails() throws Exception {
        RecordingAttach attach = new RecordingAttach(null);

        VContextException e = createFails(guests.request("badoption")
                .extraOptions("--no-such-option")
                .init("/bin/true").build(), attach);

        assertEquals(e.getMessage(), "parse", e.step());
        assertEquals(e.getMessage(), "--no-such-option", e.object());
        assertEquals(e.getMessage(), "EINVAL", e.errnoName());
        assertNull("vcontext rejects the option before it clones", attach.init);
        assertNothingLeft(attach);
    }

    @Test
    public void missingLowerFails() throws Exception {
        Path missing = guests.directory().resolve("no-such-lower");
        RecordingAttach attach = new RecordingAttach(null);

        VContextException e = createFails(CreateRequest.builder(guests.newDirectory("merged"))
                .name("nolower")
                .lower(missing)
                .upper(guests.newDirectory("upper"), guests.newDirectory("work"))
                .init("/bin/true").build(), attach);

        assertEquals(e.getMessage(), "mount", e.step());
        assertEquals(e.getMessage(), missing.toString(), e.object());
        assertEquals(e.getMessage(), "ENOENT", e.errnoName());
        assertNothingLeft(attach);
    }

    @Test
    public void missingInitFails() throws Exception {
        RecordingAttach attach = new RecordingAttach(null);

        VContextException e = createFails(guests.request("noinit").init("/bin/no-such-init").build(), attach);

        assertEquals(e.getMessage(), "exec", e.step());
        assertEquals(e.getMessage(), "/bin/no-such-init", e.object());
        assertEquals(e.getMessage(), "ENOENT", e.errnoName());
        assertNothingLeft(attach);
    }

    private static void sleepBriefly() throws IOException {
        try {
            Thread.sleep(10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while waiting for the init to fail", e);
        }
    }

    @Test
    public void setupFailureWinsOverAttachFailure() throws Exception {
        Path missing = guests.directory().resolve("no-such-root");
        IOException attachFailure = new IOException("cgroup attach failed in the test");
        RecordingAttach attach = new RecordingAttach(null) {
            @Override
            public void accept(int pid) throws IOException {
                super.accept(pid);
                // The init mounts its root while this step runs; vcontext keeps it a zombie until go.
                long deadline = System.nanoTime() + 5_000_000_000L;
                while (!guests.proc().stat(pid).isZombie() && System.nanoTime() < deadline) {
                    sleepBriefly();
                }
                throw attachFailure;
            }
        };

        VContextException e = createFails(CreateRequest.builder(missing).name("noroot-attach")
                .init("/bin/true").build(), attach);

        assertEquals(e.getMessage(), "mount", e.step());
        assertEquals(e.getMessage(), missing.toString(), e.object());
        assertEquals(e.getMessage(), "ENOENT", e.errnoName());
        assertEquals(List.of(attachFailure), List.of(e.getSuppressed()));
        assertNothingLeft(attach);
    }

    @Test
    public void attachFailureAbortsGuest() throws Exception {
        IOException failure = new IOException("cgroup attach failed in the test");
        RecordingAttach attach = new RecordingAttach(failure);

        try {
            guests.vcontext().create(guests.request("abort").init("/bin/sleep", "600").build(), attach);
            fail("Starting a guest whose attach step fails succeeded");
        } catch (IOException e) {
            assertSame(failure, e);
        }

        assertTrue("the init was cloned before the failure", attach.init != null);
        assertNothingLeft(attach);
    }
}
