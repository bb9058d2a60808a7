package io.vserver.itests;

import static org.junit.Assert.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;

import io.vserver.api.GuestManager;
import io.vserver.api.GuestState;
import io.vserver.api.GuestStatus;
import io.vserver.api.VServerException;
import io.vserver.api.VServerHost;

/**
 * Creates, starts and runs commands in real guests through the host's {@link GuestManager},
 * and after each test destroys every guest and checks that no mount, cgroup or process of
 * a guest is left behind.
 */
public abstract class GuestTestSupport extends VServerTestSupport {

    /** Time allowed for a guest to start, stop or run one command. */
    protected static final Duration GUEST_TIMEOUT = Duration.ofSeconds(30);

    /** Time allowed for the kernel to remove a guest's processes and cgroups after a stop. */
    protected static final Duration CLEANUP_TIMEOUT = Duration.ofSeconds(10);

    /** The host's cgroup parent, relative to each hierarchy's root, such as {@code vserver-test-1a2b3c4d}. */
    protected String cgroupParent;

    @Before
    public void readHostSettings() throws Exception {
        assumeRoot();
        awaitService(GuestManager.class);
        cgroupParent = readCgroupParent();
    }

    /**
     * Destroys every guest with force, then checks that no mount under the data or run
     * directory, no cgroup under the test parent and no process in it is left, and removes
     * the empty test parent and its chbind pins.
     */
    @After
    public void destroyGuests() throws Exception {
        if (cgroupParent == null) {
            return;
        }
        List<String> failures = new ArrayList<>();
        for (GuestStatus guest : guests().list()) {
            try {
                guests().destroy(guest.name(), true);
            } catch (VServerException e) {
                failures.add("destroy " + guest.name() + ": " + e.getMessage());
            }
        }
        VServerHost host = awaitService(VServerHost.class);
        await("no process left in cgroup " + cgroupParent, CLEANUP_TIMEOUT,
                () -> KernelState.processesInCgroup(cgroupParent).isEmpty());
        assertEquals("mounts left under " + host.dataDirectory(), List.of(),
                KernelState.mountsUnder(host.dataDirectory()));
        assertEquals("mounts left under " + host.runDirectory(), List.of(),
                KernelState.mountsUnder(host.runDirectory()));
        assertEquals("cgroups left under " + cgroupParent, List.of(), KernelState.cgroupChildren(cgroupParent));
        KernelState.removeEmptyCgroups(cgroupParent);
        KernelState.removeChbindPins(cgroupParent);
        assertEquals("guests that could not be destroyed", List.of(), failures);
    }

    /** Returns the host's guest manager, waiting for it when the host bundle is restarting. */
    protected GuestManager guests() throws InterruptedException {
        return awaitService(GuestManager.class);
    }

    /** Returns the host VM service, waiting for it when the host bundle is restarting. */
    protected VServerHost host() throws InterruptedException {
        return awaitService(VServerHost.class);
    }

    /**
     * Defines guest {@code name} with settings given as {@code KEY=VALUE} pairs, such as
     * {@code "image=host"}.
     */
    protected GuestStatus createGuest(String name, String... settings) throws Exception {
        return guests().create(name, settings(settings), List.of());
    }

    /**
     * Defines guest {@code name} on the host image with the command init style: vcontext's
     * reaper is pid 1 and {@code init} runs as its child.
     */
    protected GuestStatus createCommandGuest(String name, String init, String... settings) throws Exception {
        List<String> all = new ArrayList<>(List.of("image=host", "init.style=command", "init=" + init));
        all.addAll(Arrays.asList(settings));
        return createGuest(name, all.toArray(new String[0]));
    }

    /** Starts guest {@code name} and checks that it is RUNNING with an init pid. */
    protected GuestStatus startGuest(String name) throws Exception {
        GuestStatus status;
        try {
            status = guests().start(name);
        } catch (VServerException e) {
            throw failure("start " + name, e);
        }
        assertEquals("state of " + name + " after start: " + status, GuestState.RUNNING, status.state());
        return status;
    }

    /** Waits until guest {@code name} is in {@code state}. */
    protected void awaitState(String name, GuestState state) {
        await("guest " + name + " in state " + state, GUEST_TIMEOUT, () -> {
            try {
                return guests().status(name).state() == state;
            } catch (VServerException | InterruptedException e) {
                throw new AssertionError("status of " + name + ": " + e.getMessage(), e);
            }
        });
    }

    /** Runs {@code command} inside guest {@code name} and returns its output and exit status. */
    protected ExecResult exec(String name, String... command) throws Exception {
        Process process;
        try {
            process = guests().exec(name, List.of(command));
        } catch (VServerException e) {
            throw failure("exec " + List.of(command) + " in " + name, e);
        }
        process.getOutputStream().close();
        CompletableFuture<String> stdout = readAsync(process.getInputStream());
        CompletableFuture<String> stderr = readAsync(process.getErrorStream());
        if (!process.waitFor(GUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("exec " + List.of(command) + " in " + name + " did not end within "
                    + GUEST_TIMEOUT.toSeconds() + " s");
        }
        return new ExecResult(process.exitValue(), stdout.get(GUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS),
                stderr.get(GUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
    }

    /** Runs {@code command} inside guest {@code name}, checks that it exits with 0 and returns its stdout. */
    protected String execOk(String name, String... command) throws Exception {
        ExecResult result = exec(name, command);
        assertEquals("exec " + List.of(command) + " in " + name + ": " + result.describe(), 0, result.exitCode());
        return result.stdout();
    }

    /**
     * Builds a minimal root file system in {@code root}: the host's static /bin/busybox with a
     * link per applet, and the empty mount points a guest needs.
     */
    protected static Path busyboxRootfs(Path root) throws IOException {
        Path bin = Files.createDirectories(root.resolve("bin"));
        Path busybox = bin.resolve("busybox");
        Files.copy(Path.of("/bin/busybox"), busybox);
        busybox.toFile().setExecutable(true, false);
        for (String applet : List.of("sh", "ps", "sleep", "cat", "ls", "mount", "echo", "true")) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        for (String directory : List.of("proc", "sys", "dev", "tmp", "etc", "root", "mnt")) {
            Files.createDirectories(root.resolve(directory));
        }
        return root;
    }

    /**
     * Returns an AssertionError with the message of {@code exception} and its causes. The
     * exception itself is not attached, because its causes can be classes private to the host
     * bundle, which the test driver outside the container cannot load.
     */
    protected static AssertionError failure(String operation, Exception exception) {
        StringBuilder message = new StringBuilder(operation).append(" failed: ").append(exception);
        for (Throwable cause = exception.getCause(); cause != null; cause = cause.getCause()) {
            message.append("\n  caused by: ").append(cause);
        }
        return new AssertionError(message.toString());
    }

    private String readCgroupParent() throws IOException {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(Path.of(System.getProperty("karaf.etc"), "io.vserver.host.cfg"))) {
            properties.load(reader);
        }
        String parent = properties.getProperty("cgroupParent", "");
        if (!parent.startsWith("vserver-test-")) {
            throw new AssertionError("the test container's cgroupParent is '" + parent
                    + "', expected vserver-test-*: tests never run guests in a production cgroup parent");
        }
        return parent;
    }

    private static Map<String, String> settings(String... pairs) {
        Map<String, String> settings = new LinkedHashMap<>();
        for (String pair : pairs) {
            int equals = pair.indexOf('=');
            settings.put(pair.substring(0, equals), pair.substring(equals + 1));
        }
        return settings;
    }

    private static CompletableFuture<String> readAsync(InputStream stream) {
        return CompletableFuture.supplyAsync(() -> {
            try (stream) {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(failed to read: " + e + ")";
            }
        });
    }
}
