package io.vserver.host.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.vserver.api.GuestSpec;
import io.vserver.api.GuestState;
import io.vserver.api.GuestStats;
import io.vserver.api.InvalidConfigurationException;
import io.vserver.api.RunningGuest;
import io.vserver.api.UpdateOutcome;
import io.vserver.api.VServerException;
import io.vserver.kmod.cgroup.Cgroup;
import io.vserver.kmod.cgroup.CgroupHierarchies;
import io.vserver.kmod.cgroup.CgroupHierarchy;
import io.vserver.kmod.cgroup.CgroupVersion;
import io.vserver.kmod.vcontext.VContextBinary;

/**
 * Changes the limits of real busybox guests while they run and reads their statistics and limit
 * hits through the guest service. The limits element of the test writes {@code limits.memory}
 * and {@code limits.pids} into the guest's cgroup. Needs root; creates its cgroups under
 * {@code vserver-test-PID} and removes them.
 */
public class GuestStatsKernelTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** An init that ends with code 0 on SIGTERM; busybox sh as pid 1 only gets signals it has a handler for. */
    private static final String SERVICE_INIT = "trap 'kill $child; exit 0' TERM\n"
            + "while true; do sleep 1000 & child=$!; wait $child; done\n";

    private static final String REJECTED_KEY = "security.rejected";

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
    /** Fails to apply any change that sets {@value #REJECTED_KEY}, as an element whose kernel call fails. */
    private final FakeElement capabilities = new FakeElement("capabilities", "capabilities.", "security.") {
        @Override
        public Map<String, UpdateOutcome> update(RunningGuest guest, GuestSpec updated) throws VServerException {
            if (updated.get(REJECTED_KEY).isPresent()) {
                throw new VServerException("failed to set " + REJECTED_KEY + ": rejected by the kernel");
            }
            return super.update(guest, updated);
        }
    };
    private final String cgroupParent = "vserver-test-" + ProcessHandle.current().pid();
    private HostSettings settings;
    private GuestService service;

    @Before
    public void setUp() throws Exception {
        KernelGuests.requireRoot("GuestStatsKernelTest");
        Path root = folder.getRoot().toPath();
        Path rootfs = buildRootfs(root.resolve("rootfs"));
        Path program = VContextBinary.install(Files.createDirectories(root.resolve("bin")));
        settings = new HostSettings(root.resolve("data"), root.resolve("run"), program, Duration.ofSeconds(5),
                cgroupParent);
        fs.preparation = (spec, record, plan) -> plan.root(rootfs);
        context.preparation = (spec, record, plan) -> plan.hostname(spec.name())
                .init(List.of("/bin/sh", "/service.sh")).haltSignal("SIGTERM");
        elements.add(fs);
        elements.add(context);
        elements.add(new CgroupLimitsElement());
        elements.add(capabilities);
        service = new GuestService(settings, store, elements);
        service.open();
    }


    private static Path buildRootfs(Path rootfs) throws IOException {
        KernelGuests.buildBusyboxRootfs(rootfs, List.of("sh", "sleep", "echo", "cat", "kill", "true", "seq", "awk"));
        Files.writeString(rootfs.resolve("service.sh"), SERVICE_INIT);
        return rootfs;
    }

    @After
    public void tearDown() throws Exception {
        KernelGuests.stopAll(service, settings == null ? null : cgroupParent);
    }

    @Test
    public void liveMemoryChangeReachesCgroup() throws Exception {
        service.create("web1", Map.of(CgroupLimitsElement.MEMORY, "64M"), List.of());
        service.start("web1");

        Map<String, UpdateOutcome> outcomes = service.updateSettings("web1", Map.of(CgroupLimitsElement.MEMORY,
                "32M"));

        assertEquals(Map.of(CgroupLimitsElement.MEMORY, UpdateOutcome.APPLIED), outcomes);
        assertEquals(32L << 20, memoryLimitFile("web1"));
        assertEquals("32M", store.get("web1").get(CgroupLimitsElement.MEMORY));
        GuestStats stats = statsOf("web1");
        assertEquals(32L << 20, stats.memoryLimitBytes());
        assertTrue("processes " + stats.processes(), stats.processes() >= 2);
        assertTrue("rss " + stats.residentBytes(), stats.residentBytes() > 0);
        assertTrue("vsz " + stats.virtualBytes(), stats.virtualBytes() >= stats.residentBytes());
        assertTrue("memory use " + stats.memoryBytes(), stats.memoryBytes() > 0);
        assertNotNull(stats.cpuUser());
        assertNotNull(stats.cpuSystem());
        assertEquals(0, stats.oomKills());
        assertEquals(0, stats.forkFailures());
    }

    @Test
    public void stoppedGuestChangeNeedsRestart() throws Exception {
        service.create("web1", Map.of(), List.of());

        Map<String, UpdateOutcome> outcomes = service.updateSettings("web1", Map.of(CgroupLimitsElement.PIDS, "50"));

        assertEquals(Map.of(CgroupLimitsElement.PIDS, UpdateOutcome.NEEDS_RESTART), outcomes);
        assertEquals("50", store.get("web1").get(CgroupLimitsElement.PIDS));
        service.start("web1");
        assertEquals("50", guestCgroup("web1").read("pids.max"));
    }

    @Test
    public void invalidValueChangesNothing() throws Exception {
        service.create("web1", Map.of(CgroupLimitsElement.MEMORY, "64M", CgroupLimitsElement.PIDS, "100"),
                List.of());
        service.start("web1");
        Map<String, String> stored = new TreeMap<>(store.get("web1"));

        for (Map.Entry<String, String> bad : Map.of(CgroupLimitsElement.MEMORY, "lots", CgroupLimitsElement.PIDS, "-1")
                .entrySet()) {
            InvalidConfigurationException e = assertThrows(InvalidConfigurationException.class,
                    () -> service.updateSettings("web1", Map.of(bad.getKey(), bad.getValue())));

            assertEquals(bad.getKey(), e.key());
            assertEquals(bad.getValue(), e.value());
            assertTrue(e.getMessage(), e.getMessage().contains(e.acceptedForm()));
        }
        assertEquals(64L << 20, memoryLimitFile("web1"));
        assertEquals("100", guestCgroup("web1").read("pids.max"));
        assertEquals(stored, store.get("web1"));
    }

    @Test
    public void failedElementRollsBackChange() throws Exception {
        service.create("web1", Map.of(CgroupLimitsElement.MEMORY, "64M"), List.of());
        service.start("web1");
        Map<String, String> stored = new TreeMap<>(store.get("web1"));

        VServerException e = assertThrows(VServerException.class, () -> service.updateSettings("web1",
                Map.of(CgroupLimitsElement.MEMORY, "32M", REJECTED_KEY, "yes")));

        assertTrue(e.getMessage(), e.getMessage().contains(REJECTED_KEY));
        assertTrue(e.getMessage(), e.getMessage().contains("[limits]"));
        assertEquals(64L << 20, memoryLimitFile("web1"));
        assertEquals(64L << 20, statsOf("web1").memoryLimitBytes());
        assertEquals(stored, store.get("web1"));
        Map<String, UpdateOutcome> outcomes = service.updateSettings("web1", Map.of(CgroupLimitsElement.MEMORY,
                "48M"));
        assertEquals(Map.of(CgroupLimitsElement.MEMORY, UpdateOutcome.APPLIED), outcomes);
    }

    @Test
    public void failedFileEditKeepsRunningLimits() throws Exception {
        service.create("web1", Map.of(CgroupLimitsElement.MEMORY, "64M"), List.of());
        service.start("web1");
        Map<String, String> stored = new TreeMap<>(store.get("web1"));
        Map<String, String> edited = new TreeMap<>(stored);
        edited.put(CgroupLimitsElement.MEMORY, "32M");
        edited.put(REJECTED_KEY, "yes");

        service.definitionListener().definitionChanged("web1", edited);
        service.awaitQueued("web1");

        assertEquals(64L << 20, memoryLimitFile("web1"));
        assertEquals(stored, store.get("web1"));
    }

    @Test
    public void invalidFileEditKeepsRunningLimits() throws Exception {
        service.create("web1", Map.of(CgroupLimitsElement.MEMORY, "64M"), List.of());
        service.start("web1");
        Map<String, String> stored = new TreeMap<>(store.get("web1"));
        Map<String, String> edited = new TreeMap<>(stored);
        edited.put(CgroupLimitsElement.MEMORY, "lots");

        service.definitionListener().definitionChanged("web1", edited);
        service.awaitQueued("web1");

        assertEquals(64L << 20, memoryLimitFile("web1"));
        assertEquals(64L << 20, statsOf("web1").memoryLimitBytes());
        assertEquals(stored, store.get("web1"));
    }

    @Test
    public void validFileEditAppliesLive() throws Exception {
        service.create("web1", Map.of(CgroupLimitsElement.MEMORY, "64M"), List.of());
        service.start("web1");
        Map<String, String> edited = new TreeMap<>(store.get("web1"));
        edited.put(CgroupLimitsElement.MEMORY, "48M");

        service.definitionListener().definitionChanged("web1", edited);
        service.awaitQueued("web1");

        assertEquals(48L << 20, memoryLimitFile("web1"));
    }

    @Test
    public void forkBombStopsAtPidsLimit() throws Exception {
        service.create("web1", Map.of(CgroupLimitsElement.PIDS, "10"), List.of());
        int init = service.start("web1").initPid();

        runInGuest("web1", "sh", "-c", "for i in $(seq 100); do sleep 30 & done");

        GuestStats stats = statsOf("web1");
        assertTrue("fork failures " + stats.forkFailures(), stats.forkFailures() > 0);
        assertTrue("processes " + stats.processes(), stats.processes() <= 10);
        assertEquals(GuestState.RUNNING, service.status("web1").state());
        assertEquals(init, service.status("web1").initPid());
        assertTrue(ProcessHandle.of(init).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    public void memoryHogIsOomKilledInGuest() throws Exception {
        service.create("web1", Map.of(CgroupLimitsElement.MEMORY, "32M"), List.of());
        int init = service.start("web1").initPid();

        // The string doubles until the allocation passes the limit: 32 MiB after 25 rounds.
        int exit = runInGuest("web1", "awk", "BEGIN { s = \"x\"; while (1) s = s s }");

        assertTrue("exit " + exit, exit != 0);
        GuestStats stats = statsOf("web1");
        assertTrue("oom kills " + stats.oomKills(), stats.oomKills() > 0);
        assertEquals(GuestState.RUNNING, service.status("web1").state());
        assertTrue(ProcessHandle.of(init).map(ProcessHandle::isAlive).orElse(false));
    }

    private GuestStats statsOf(String name) {
        return service.stats().stream().filter(stats -> stats.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no statistics for " + name + " in " + service.stats()));
    }

    private Cgroup guestCgroup(String name) throws IOException {
        return CgroupHierarchies.discover().group(cgroupParent + "/" + name);
    }

    /** Returns the memory limit as the kernel shows it: {@code memory.limit_in_bytes} on v1, {@code memory.max} on v2. */
    private long memoryLimitFile(String name) throws IOException {
        CgroupHierarchies hierarchies = CgroupHierarchies.discover();
        CgroupHierarchy memory = hierarchies.forController("memory").orElseThrow();
        String file = memory.version() == CgroupVersion.V1 ? "memory.limit_in_bytes" : "memory.max";
        return Long.parseLong(guestCgroup(name).read(memory, file));
    }

    /** Runs a command in the guest and returns its exit code. */
    private int runInGuest(String name, String... command) throws Exception {
        Process process = service.exec(name, List.of(command));
        process.getOutputStream().close();
        process.getInputStream().transferTo(OutputStream.nullOutputStream());
        String error = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue("exec did not end: " + error, process.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        return process.exitValue();
    }
}
