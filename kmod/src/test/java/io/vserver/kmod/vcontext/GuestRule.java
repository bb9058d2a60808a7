package io.vserver.kmod.vcontext;

import io.vserver.kmod.KernelTestSupport;
import io.vserver.kmod.cgroup.Cgroup;
import io.vserver.kmod.cgroup.CgroupHierarchies;
import io.vserver.kmod.libc.Errno;
import io.vserver.kmod.libc.Pidfd;
import io.vserver.kmod.libc.SyscallException;
import io.vserver.kmod.proc.MountEntry;
import io.vserver.kmod.proc.MountInfo;
import io.vserver.kmod.proc.ProcFs;
import io.vserver.kmod.proc.ProcStat;
import io.vserver.kmod.proc.ProcessIdentity;
import org.junit.rules.ExternalResource;
import org.junit.rules.TemporaryFolder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/**
 * The fixture of the tests that start real guests: it requires root, builds a busybox root in
 * a temporary folder, creates the cgroup {@code vserver-test-RANDOM/guest} in every hierarchy
 * and afterwards kills every process left in it, removes the cgroups and deletes the folder.
 */
final class GuestRule extends ExternalResource {

    static final Duration WAIT = Duration.ofSeconds(10);

    private final TemporaryFolder folder = new TemporaryFolder();
    private final ProcFs proc = ProcFs.system();
    private Path directory;
    private Path rootfs;
    private Path program;
    private VContext vcontext;
    private Cgroup parent;
    private Cgroup guestCgroup;
    private final List<Launch> launches = new ArrayList<>();

    @Override
    protected void before() throws Throwable {
        KernelTestSupport.assumeRoot();
        folder.create();
        directory = folder.getRoot().toPath();
        program = VContextBinary.locate(directory.resolve("program"));
        rootfs = BusyboxRootfs.build(directory.resolve("rootfs"));
        CgroupHierarchies hierarchies = CgroupHierarchies.discover();
        parent = hierarchies.group("vserver-test-" + UUID.randomUUID().toString().substring(0, 8));
        guestCgroup = hierarchies.group(parent.path() + "/guest");
        guestCgroup.create();
        vcontext = new VContext(program);
    }

    @Override
    protected void after() {
        try {
            if (parent != null && parent.exists()) {
                parent.killAll(WAIT);
                parent.remove();
            }
            // A monitor writes exit.json into the folder after its init was killed.
            for (Launch launch : launches) {
                awaitExit(launch.monitor());
            }
        } catch (IOException e) {
            throw new IllegalStateException("Cleaning up " + parent + " failed: " + e.getMessage(), e);
        } finally {
            folder.delete();
        }
    }

    /** Returns the test's temporary directory. */
    Path directory() {
        return directory;
    }

    /** Returns a new directory inside the test's temporary directory. */
    Path newDirectory(String name) throws IOException {
        return Files.createDirectories(directory.resolve(name));
    }

    /** Returns the busybox root. */
    Path rootfs() {
        return rootfs;
    }

    /** Returns the vcontext program under test. */
    Path program() {
        return program;
    }

    /** Returns the client of the program under test. */
    VContext vcontext() {
        return vcontext;
    }

    /** Returns the cgroup the guests of a test are placed in. */
    Cgroup guestCgroup() {
        return guestCgroup;
    }

    /** Returns the attach step that places the init in {@link #guestCgroup()}. */
    Attach attachToCgroup() {
        return pid -> guestCgroup.attach(pid);
    }

    /** Returns a request builder for the busybox root with a run directory in the folder. */
    CreateRequest.Builder request(String name) throws IOException {
        return CreateRequest.builder(rootfs)
                .name(name)
                .runDirectory(newDirectory("run-" + name));
    }

    /** Starts a guest placed in {@link #guestCgroup()}, through {@code client}. */
    Launch start(VContext client, CreateRequest request) throws IOException {
        Launch launch = client.create(request, attachToCgroup());
        launches.add(launch);
        return launch;
    }

    /** Starts a guest placed in {@link #guestCgroup()}. */
    Launch start(CreateRequest request) throws IOException {
        return start(vcontext, request);
    }

    /** Starts a guest, waits until its monitor has ended and returns what it recorded. */
    GuestRun runToExit(CreateRequest request) throws IOException {
        return runToExit(vcontext, request);
    }

    /** Starts a guest through {@code client}, waits until its monitor has ended and returns what it recorded. */
    GuestRun runToExit(VContext client, CreateRequest request) throws IOException {
        Launch launch = start(client, request);
        awaitExit(launch.monitor());
        Path runDirectory = request.runDirectory().orElseThrow();
        ExitRecord exit = ExitRecord.read(runDirectory);
        Path console = request.consoleFile().orElse(runDirectory.resolve("console.log"));
        return new GuestRun(launch, exit, Files.readString(console, StandardCharsets.UTF_8));
    }

    /**
     * Waits until a process has exited; a zombie counts as exited, because this machine's PID 1
     * may take seconds to reap the orphaned monitor.
     */
    void awaitExit(ProcessIdentity process) throws IOException {
        Pidfd pidfd;
        try {
            pidfd = Pidfd.open(process.pid());
        } catch (SyscallException e) {
            if (e.errno() == Errno.ESRCH) {
                return;
            }
            throw e;
        }
        try (pidfd) {
            if (!process.isAlive(proc)) {
                return;
            }
            assertTrue(process + " did not exit within " + WAIT.toMillis() + " ms",
                    pidfd.awaitExit(WAIT));
        }
    }

    /** Returns true if a process with this identity runs and is not a zombie. */
    boolean isRunning(ProcessIdentity process) throws SyscallException {
        Optional<ProcStat> stat = proc.findStat(process.pid());
        return stat.isPresent() && stat.get().startTime() == process.startTime()
                && !stat.get().isZombie();
    }

    /** Returns the host mounts whose mount point or source lies inside the test's folder. */
    List<MountEntry> mountsInFolder() throws SyscallException {
        List<MountEntry> found = new ArrayList<>();
        String prefix = directory.toString();
        for (MountEntry entry : MountInfo.read(Path.of("/proc/self/mountinfo"))) {
            if (entry.mountPoint().startsWith(prefix) || entry.root().startsWith(prefix)) {
                found.add(entry);
            }
        }
        return found;
    }

    /** Returns the process reader of /proc. */
    ProcFs proc() {
        return proc;
    }

    /** Fails the test with the console text when a condition does not hold. */
    static void assertConsole(String message, boolean condition, String console) {
        if (!condition) {
            fail(message + "; guest console:\n" + console);
        }
    }
}
