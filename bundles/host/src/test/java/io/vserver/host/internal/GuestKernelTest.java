package io.vserver.host.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.vserver.api.FailureReason;
import io.vserver.api.GuestProcess;
import io.vserver.api.GuestSpec;
import io.vserver.api.GuestState;
import io.vserver.api.GuestStatus;
import io.vserver.api.VServerException;
import io.vserver.kmod.cgroup.Cgroup;
import io.vserver.kmod.cgroup.CgroupHierarchies;
import io.vserver.kmod.vcontext.VContextBinary;

/**
 * Boots, enters, stops and re-adopts real busybox guests through the guest service, with
 * elements of the test: {@code fs} bind-mounts a busybox root, {@code context} sets the init
 * and the hostname. Needs root; creates its cgroups under {@code vserver-test-PID} and removes them.
 */
public class GuestKernelTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    /** An init that ends with code 0 on SIGTERM; busybox sh as pid 1 only gets signals it has a handler for. */
    private static final String SERVICE_INIT = "trap 'kill $child; exit 0' TERM\n"
            + "while true; do sleep 1000 & child=$!; wait $child; done\n";

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private final MapDefinitions store = new MapDefinitions();
    private final ElementRegistry elements = new ElementRegistry();
    private final FakeElement fs = new FakeElement("fs", "image") {
        @Override
        public boolean isRequiredBy(GuestSpec spec) {
            return true;
        }
    };
    private final FakeElement context = new FakeElement("context", "hostname", "init", "init.");
    private final FakeElement capabilities = new FakeElement("capabilities", "capabilities.", "security.");
    private final String cgroupParent = "vserver-test-" + ProcessHandle.current().pid();
    private HostSettings settings;
    private GuestService service;

    @Before
    public void setUp() throws Exception {
        KernelGuests.requireRoot("GuestKernelTest");
        Path root = folder.getRoot().toPath();
        Path rootfs = buildRootfs(root.resolve("rootfs"));
        Path program = VContextBinary.install(Files.createDirectories(root.resolve("bin")));
        settings = new HostSettings(root.resolve("data"), root.resolve("run"), program, Duration.ofSeconds(5),
                cgroupParent);
        fs.preparation = (spec, record, plan) -> plan.root(rootfs);
        context.preparation = (spec, record, plan) -> plan.hostname(spec.get("hostname", spec.name()))
                .init(List.of(spec.get("init", "/bin/sh /service.sh").split(" "))).haltSignal("SIGTERM");
        elements.add(fs);
        elements.add(context);
        elements.add(capabilities);
        service = open();
    }


    private static Path buildRootfs(Path rootfs) throws IOException {
        KernelGuests.buildBusyboxRootfs(rootfs, List.of("sh", "sleep", "echo", "hostname", "cat", "kill", "true"));
        Files.writeString(rootfs.resolve("service.sh"), SERVICE_INIT);
        Files.writeString(rootfs.resolve("fail.sh"), "sleep 0.3\nexit 3\n");
        return rootfs;
    }

    private GuestService open() throws Exception {
        GuestService opened = new GuestService(settings, store, elements);
        opened.open();
        return opened;
    }

    @After
    public void tearDown() throws Exception {
        KernelGuests.stopAll(service, settings == null ? null : cgroupParent);
    }

    @Test
    public void startExecStop() throws Exception {
        service.create("web1", Map.of("hostname", "www"), List.of());

        GuestStatus running = service.start("web1");

        assertEquals(GuestState.RUNNING, running.state());
        assertTrue(running.initPid() > 0);
        assertEquals(List.of("fs", "context", "capabilities"), running.elements());
        assertTrue(Files.exists(settings.runDirectory().resolve("guests/web1/guest.json")));
        assertTrue(guestCgroup("web1").pids().contains(running.initPid()));
        assertEquals("www\n", execOutput("web1", "hostname"));

        List<GuestProcess> processes = service.processes("web1");
        GuestProcess init = processes.stream().filter(p -> p.pid() == running.initPid()).findFirst().orElseThrow();
        assertEquals(1, init.guestPid());
        assertEquals(running.xid(), init.xid());
        GuestProcess listed = service.allProcesses().stream().filter(p -> p.pid() == running.initPid()).findFirst()
                .orElseThrow();
        assertEquals(running.xid(), listed.xid());
        assertEquals("web1", listed.guest());

        GuestStatus stopped = service.stop("web1", null);

        assertEquals(GuestState.STOPPED, stopped.state());
        assertEquals(null, stopped.failure());
        assertFalse(guestCgroup("web1").exists());
        assertFalse(Files.exists(settings.runDirectory().resolve("guests/web1/guest.json")));
        assertEquals(List.of("validate web1", "validate web1", "prepare web1", "attach web1", "release web1"),
                context.calls());
        assertEquals("release web1", capabilities.calls().get(capabilities.calls().size() - 1));
    }

    @Test
    public void stopQueuedBehindStart() throws Exception {
        service.create("web1", Map.of(), List.of());
        CompletableFuture<GuestStatus> start = CompletableFuture.supplyAsync(() -> {
            try {
                return service.start("web1");
            } catch (VServerException e) {
                throw new CompletionException(e);
            }
        });
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (service.status("web1").state() == GuestState.STOPPED && !start.isDone()
                && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }

        GuestStatus stopped = service.stop("web1", null);

        assertEquals(GuestState.RUNNING, start.get().state());
        assertEquals(GuestState.STOPPED, stopped.state());
        assertFalse(guestCgroup("web1").exists());
    }

    @Test
    public void stopKillsInitThatIgnoresHaltSignal() throws Exception {
        service.create("web1", Map.of("init", "/bin/sleep 1000"), List.of());
        service.start("web1");

        GuestStatus stopped = service.stop("web1", Duration.ofMillis(200));

        assertEquals(GuestState.STOPPED, stopped.state());
        assertFalse(guestCgroup("web1").exists());
    }

    @Test
    public void initExitIsSupervised() throws Exception {
        service.create("web1", Map.of("init", "/bin/sh /fail.sh"), List.of());
        service.start("web1");

        GuestStatus failed = awaitState("web1", GuestState.FAILED);

        assertEquals(FailureReason.Code.INIT_FAILED, failed.failure().code());
        assertTrue(failed.failure().message(), failed.failure().message().contains("exited with code 3"));
        assertFalse(guestCgroup("web1").exists());
    }

    @Test
    public void killIsSeenAsFailure() throws Exception {
        service.create("web1", Map.of(), List.of());
        service.start("web1");

        service.kill("web1", "KILL");
        GuestStatus failed = awaitState("web1", GuestState.FAILED);

        assertTrue(failed.failure().message(), failed.failure().message().contains("SIGKILL"));
    }

    @Test
    public void restartPolicyStartsAgain() throws Exception {
        service.create("web1", Map.of("restart", "on-failure"), List.of());
        int firstPid = service.start("web1").initPid();

        service.kill("web1", "KILL");
        long deadline = System.nanoTime() + WAIT.toNanos();
        GuestStatus status = service.status("web1");
        while ((status.initPid() == 0 || status.initPid() == firstPid) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(50);
            status = service.status("web1");
        }

        assertEquals(GuestState.RUNNING, status.state());
        assertNotEquals(firstPid, status.initPid());
    }

    @Test
    public void failedPrepareLeavesNothing() throws Exception {
        capabilities.preparation = (spec, record, plan) -> {
            throw new VServerException("capability set rejected");
        };
        service.create("web1", Map.of(), List.of());

        VServerException e = assertThrows(VServerException.class, () -> service.start("web1"));

        assertTrue(e.getMessage(), e.getMessage().contains("capability set rejected"));
        GuestStatus status = service.status("web1");
        assertEquals(GuestState.FAILED, status.state());
        assertEquals(FailureReason.Code.ELEMENT_FAILED, status.failure().code());
        assertFalse(guestCgroup("web1").exists());
        assertEquals("release web1", fs.calls().get(fs.calls().size() - 1));
        assertEquals("release web1", capabilities.calls().get(capabilities.calls().size() - 1));
    }

    @Test
    public void missingInitIsLaunchFailure() throws Exception {
        service.create("web1", Map.of("init", "/bin/nothing-here"), List.of());

        assertThrows(VServerException.class, () -> service.start("web1"));

        GuestStatus status = service.status("web1");
        assertEquals(FailureReason.Code.LAUNCH_FAILED, status.failure().code());
        assertTrue(status.failure().message(), status.failure().message().contains("exec"));
        assertFalse(guestCgroup("web1").exists());
    }

    @Test
    public void runningGuestIsReadopted() throws Exception {
        service.create("web1", Map.of(), List.of());
        int pid = service.start("web1").initPid();

        service.close();
        service = open();

        GuestStatus status = service.status("web1");
        assertEquals(GuestState.RUNNING, status.state());
        assertEquals(pid, status.initPid());
        assertEquals(GuestState.STOPPED, service.stop("web1", null).state());
        assertFalse(guestCgroup("web1").exists());
    }

    @Test
    public void endedGuestLeftoversAreReleased() throws Exception {
        service.create("web1", Map.of(), List.of());
        int pid = service.start("web1").initPid();
        service.close();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        awaitGone(pid);

        service = open();

        GuestStatus status = service.status("web1");
        assertEquals(GuestState.FAILED, status.state());
        assertEquals(FailureReason.Code.INIT_FAILED, status.failure().code());
        assertFalse(guestCgroup("web1").exists());
    }

    @Test
    public void destroyForceRemovesRunningGuest() throws Exception {
        service.create("web1", Map.of(), List.of());
        service.start("web1");

        service.destroy("web1", true);

        assertFalse(guestCgroup("web1").exists());
        assertFalse(Files.exists(settings.dataDirectory().resolve("guests/web1")));
        assertFalse(Files.exists(settings.runDirectory().resolve("guests/web1")));
        assertEquals(List.of(), service.list());
    }

    private Cgroup guestCgroup(String name) throws IOException {
        return CgroupHierarchies.discover().group(cgroupParent + "/" + name);
    }

    private String execOutput(String name, String... command) throws Exception {
        Process process = service.exec(name, List.of(command));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String error = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("exec did not end", process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(error, 0, process.exitValue());
        return output;
    }

    private GuestStatus awaitState(String name, GuestState state) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        GuestStatus status = service.status(name);
        while (status.state() != state && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
            status = service.status(name);
        }
        assertEquals(state, status.state());
        return status;
    }

    private static void awaitGone(int pid) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }
}
