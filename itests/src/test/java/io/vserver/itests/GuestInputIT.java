package io.vserver.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import io.vserver.api.FailureReason;
import io.vserver.api.GuestState;
import io.vserver.api.GuestStatus;
import io.vserver.api.VServerException;

/**
 * Gives the host bad names, keys, values and requests, and checks that each is rejected with a
 * message naming the value and that nothing is created or changed: no definition file, no
 * directory, no cgroup, no mount and no process.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GuestInputIT extends GuestTestSupport {

    @Test
    public void badNamesRejected() throws Exception {
        for (String name : List.of("Web1", "../x", "a".repeat(64), "web_1", "-web")) {
            assertCreateRejected(name, name, "image=host", "init.style=command", "init=/bin/sleep infinity");
        }
    }

    @Test
    public void longestNameAccepted() throws Exception {
        String name = "a".repeat(63);

        createCommandGuest(name, "/bin/sleep infinity");
        startGuest(name);

        assertFalse("cgroups of the 63-character guest",
                KernelState.cgroupDirectories(cgroupParent + "/" + name).isEmpty());
        assertEquals("hostname of the 63-character guest", name, execOk(name, "hostname").trim());
    }

    @Test
    public void badNameRejectedByShell() {
        awaitCommand("vserver", "create");
        Snapshot before = snapshot();

        AssertionError error = expectCommandFailure("vserver:create --image host Web1");

        assertTrue("message names Web1: " + error.getMessage(), error.getMessage().contains("Web1"));
        assertEquals("state after a rejected create", before, snapshot());
    }

    @Test
    public void unknownKeyRejected() throws Exception {
        assertCreateRejected("colours", "colour", "image=host", "colour=blue");
    }

    @Test
    public void unknownCapabilityRejected() throws Exception {
        assertCreateRejected("flying", "cap_fly", "image=host", "init.style=command", "init=/bin/sleep infinity",
                "capabilities.add=net_admin,cap_fly");
    }

    @Test
    public void unknownProfileRejected() throws Exception {
        assertCreateRejected("profiled", "superuser", "image=host", "init.style=command",
                "init=/bin/sleep infinity", "capabilities.profile=superuser");
    }

    @Test
    public void missingImageRejected() throws Exception {
        assertCreateRejected("imageless", "/nonexistent", "image=dir:/nonexistent", "init.style=command",
                "init=/bin/sleep infinity");
    }

    @Test
    public void duplicateNameRejected() throws Exception {
        createCommandGuest("twin", "/bin/sleep 11");
        Path definition = definitionFile("twin");
        await("definition file of twin written", CLEANUP_TIMEOUT, () -> !definitionKeys(definition).isEmpty());
        Map<String, String> firstDefinition = definitionKeys(definition);
        Snapshot before = snapshot();

        try {
            createCommandGuest("twin", "/bin/sleep 22");
            throw new AssertionError("second create of twin succeeded");
        } catch (VServerException e) {
            assertTrue("message names twin: " + e.getMessage(), e.getMessage().contains("twin"));
        }

        // Felix fileinstall writes a configuration back to its file in place, so a reader can
        // briefly see the file empty: the check waits for the content to settle.
        await("definition of the first twin unchanged: " + firstDefinition, CLEANUP_TIMEOUT,
                () -> firstDefinition.equals(definitionKeys(definition)));
        assertEquals("init of the first twin", "/bin/sleep 11", firstDefinition.get("init"));
        assertEquals("state after a rejected create", before, snapshot());
    }

    @Test
    public void startOfRunningGuestRejected() throws Exception {
        createCommandGuest("busy", "/bin/sleep infinity");
        int init = startGuest("busy").initPid();

        try {
            guests().start("busy");
            throw new AssertionError("second start of busy succeeded");
        } catch (VServerException e) {
            assertTrue("message names busy: " + e.getMessage(), e.getMessage().contains("busy"));
            assertTrue("message says it runs: " + e.getMessage(), e.getMessage().contains("running"));
        }

        GuestStatus status = guests().status("busy");
        assertEquals(GuestState.RUNNING, status.state());
        assertEquals("init pid after a rejected start", init, status.initPid());
        assertTrue("init " + init + " alive", KernelState.isAlive(init));
    }

    @Test
    public void runningGuestNeedsForce() throws Exception {
        createCommandGuest("guarded", "/bin/sleep infinity");
        int init = startGuest("guarded").initPid();

        try {
            guests().destroy("guarded", false);
            throw new AssertionError("destroy of running guest guarded without force succeeded");
        } catch (VServerException e) {
            assertTrue("message names guarded: " + e.getMessage(), e.getMessage().contains("guarded"));
            assertTrue("message names --force: " + e.getMessage(), e.getMessage().contains("--force"));
        }

        assertEquals(GuestState.RUNNING, guests().status("guarded").state());
        assertTrue("init " + init + " alive", KernelState.isAlive(init));
        assertTrue("definition kept", Files.isRegularFile(definitionFile("guarded")));
    }

    @Test
    public void execInStoppedGuestRejected() throws Exception {
        createCommandGuest("idle", "/bin/sleep infinity");

        try {
            guests().exec("idle", List.of("true"));
            throw new AssertionError("exec in stopped guest idle succeeded");
        } catch (VServerException e) {
            assertTrue("message names idle: " + e.getMessage(), e.getMessage().contains("idle"));
        }
        try {
            guests().exec("ghost", List.of("true"));
            throw new AssertionError("exec in undefined guest ghost succeeded");
        } catch (VServerException e) {
            assertTrue("message names ghost: " + e.getMessage(), e.getMessage().contains("ghost"));
        }
    }

    @Test
    public void failedStartLeavesNothing() throws Exception {
        for (String style : List.of("command", "plain")) {
            String name = "broken-" + style;
            createGuest(name, "image=host", "init.style=" + style, "init=/nonexistent");

            try {
                guests().start(name);
                throw new AssertionError("start of " + name + " with init=/nonexistent succeeded");
            } catch (VServerException e) {
                assertTrue("message names /nonexistent: " + e.getMessage(), e.getMessage().contains("/nonexistent"));
            }

            GuestStatus status = guests().status(name);
            assertEquals("state of " + name + ": " + status, GuestState.FAILED, status.state());
            assertTrue("failure code of " + name + ": " + status.failure(),
                    status.failure().code() == FailureReason.Code.LAUNCH_FAILED
                            || status.failure().code() == FailureReason.Code.INIT_FAILED);
            assertEquals("init pid of " + name, 0, status.initPid());
            assertNoKernelState(name);
        }
    }

    private void assertCreateRejected(String name, String named, String... settings) throws Exception {
        Snapshot before = snapshot();
        try {
            createGuest(name, settings);
            throw new AssertionError("create " + name + " with " + List.of(settings) + " succeeded");
        } catch (VServerException e) {
            assertTrue("message names '" + named + "': " + e.getMessage(), e.getMessage().contains(named));
        }
        assertEquals("state after a rejected create of " + name, before, snapshot());
        if (!name.contains("/")) {
            assertNoKernelState(name);
        }
    }

    private void assertNoKernelState(String name) throws Exception {
        Path data = host().dataDirectory().resolve("guests").resolve(name);
        Path run = host().runDirectory().resolve("guests").resolve(name);
        assertEquals("mounts under " + data, List.of(), KernelState.mountsUnder(data));
        assertEquals("mounts under " + run, List.of(), KernelState.mountsUnder(run));
        assertEquals("cgroups of " + name, List.of(), KernelState.cgroupDirectories(cgroupParent + "/" + name));
        assertEquals("processes of " + name, List.of(), KernelState.processesInCgroup(cgroupParent + "/" + name));
    }

    /** The definitions, guest directories and guests the host has, to compare before and after. */
    private record Snapshot(Set<String> definitions, Set<String> dataDirectories, Set<String> runDirectories,
            Set<String> cgroups, Set<String> guests) {
    }

    private Snapshot snapshot() {
        try {
            Set<String> guests = new TreeSet<>();
            guests().list().forEach(status -> guests.add(status.name() + ":" + status.state()));
            Set<String> cgroups = new TreeSet<>();
            KernelState.cgroupChildren(cgroupParent).forEach(path -> cgroups.add(path.toString()));
            Path guestData = host().dataDirectory().resolve("guests");
            Path guestRun = host().runDirectory().resolve("guests");
            return new Snapshot(names(Path.of(System.getProperty("karaf.etc")), "io.vserver.guest"),
                    names(guestData, ""), names(guestRun, ""), cgroups, guests);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("failed to take a snapshot of the host: " + e, e);
        }
    }

    private static Set<String> names(Path directory, String prefix) throws IOException {
        Set<String> names = new TreeSet<>();
        if (!Files.isDirectory(directory)) {
            return names;
        }
        try (Stream<Path> entries = Files.list(directory)) {
            entries.map(path -> path.getFileName().toString()).filter(name -> name.startsWith(prefix))
                    .forEach(names::add);
        }
        return names;
    }

    private static Path definitionFile(String name) {
        Path file = Path.of(System.getProperty("karaf.etc"), "io.vserver.guest-" + name + ".cfg");
        assertTrue(file + " exists", Files.isRegularFile(file));
        return file;
    }

    /** Returns the guest keys of a definition file, without the keys ConfigAdmin and fileinstall add. */
    private static Map<String, String> definitionKeys(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            properties.load(reader);
        } catch (IOException e) {
            return Map.of();
        }
        Map<String, String> keys = new TreeMap<>();
        for (String key : properties.stringPropertyNames()) {
            if (!key.startsWith("felix.") && !key.startsWith("service.")) {
                keys.put(key, properties.getProperty(key));
            }
        }
        return keys;
    }

    private AssertionError expectCommandFailure(String command) {
        try {
            String output = executeCommand(command);
            throw new IllegalStateException("'" + command + "' succeeded:\n" + output);
        } catch (AssertionError e) {
            return e;
        }
    }
}
