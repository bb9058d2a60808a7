package io.vserver.host.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.vserver.api.GuestRecord;
import io.vserver.api.GuestSpec;
import io.vserver.api.GuestState;
import io.vserver.api.GuestStats;
import io.vserver.api.LaunchPlan;
import io.vserver.api.VServerException;
import io.vserver.kmod.cgroup.Cgroup;
import io.vserver.kmod.cgroup.CgroupHierarchies;
import io.vserver.kmod.cgroup.CgroupHierarchy;
import io.vserver.kmod.vcontext.VContextBinary;

/**
 * Limits that vcontext and the kernel enforce in real busybox guests: a CPU quota, an
 * address-space rlimit, and tmpfs mounts that are sized and whose pages count against the
 * guest's memory cgroup. The test's limits element puts fixed values into the launch plan and
 * the guest's cgroup, as the limits bundle does for the key each test names. The limits bundle's
 * own tests cover how it parses the keys. Needs root, and creates its cgroups under
 * {@code vserver-test-PID} and removes them.
 */
public class GuestLimitsKernelTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    /** An init that ends with code 0 on SIGTERM. Busybox sh as pid 1 gets only the signals it has a handler for. */
    private static final String SERVICE_INIT = "trap 'kill $child; exit 0' TERM\n"
            + "while true; do sleep 1000 & child=$!; wait $child; done\n";

    private static final long MIB = 1L << 20;
    private static final long MEMORY_LIMIT = 64 * MIB;
    private static final long SHM_SIZE = 16 * MIB;
    private static final long TMP_SIZE = 8 * MIB;
    private static final long ADDRESS_SPACE_LIMIT = 32 * MIB;

    /** Memory use that moves besides the written pages: the writer's own pages, inodes, page tables, freed cache. */
    private static final long CHARGE_SLACK = 4 * MIB;

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
    private final FakeElement limits = new FakeElement("limits", "limits.");
    private final FakeElement capabilities = new FakeElement("capabilities", "capabilities.", "security.");
    private final String cgroupParent = "vserver-test-" + ProcessHandle.current().pid();
    private HostSettings settings;
    private GuestService service;

    /** The output and exit code of a command run in a guest. */
    private record ExecResult(int exitCode, String output, String error) {
    }

    /** A change to the guest's cgroup that the test's limits element makes in prepare. */
    private interface CgroupChange {
        void apply(Cgroup group) throws IOException;
    }

    @Before
    public void setUp() throws Exception {
        KernelGuests.requireRoot("GuestLimitsKernelTest");
        Path root = folder.getRoot().toPath();
        Path rootfs = KernelGuests.buildBusyboxRootfs(root.resolve("rootfs"),
                List.of("sh", "sleep", "kill", "cat", "dd", "df", "true"));
        Files.writeString(rootfs.resolve("service.sh"), SERVICE_INIT);
        Path program = VContextBinary.install(Files.createDirectories(root.resolve("bin")));
        settings = new HostSettings(root.resolve("data"), root.resolve("run"), program, Duration.ofSeconds(5),
                cgroupParent);
        fs.preparation = (spec, record, plan) -> plan.root(rootfs);
        context.preparation = (spec, record, plan) -> plan.hostname(spec.name())
                .init(List.of("/bin/sh", "/service.sh")).haltSignal("SIGTERM");
        elements.add(fs);
        elements.add(context);
        elements.add(limits);
        elements.add(capabilities);
        service = new GuestService(settings, store, elements);
        service.open();
    }

    @After
    public void tearDown() throws Exception {
        KernelGuests.stopAll(service, settings == null ? null : cgroupParent);
    }

    @Test
    public void cpuQuotaHoldsBusyLoopsToHalfCore() throws Exception {
        limits.preparation = (spec, record, plan) -> changeCgroup(record, group -> group.setCpuMax(50_000, 100_000));
        service.create("web1", Map.of("limits.cpu", "0.5"), List.of());
        service.start("web1");

        // Without the quota the two loops would use two cores.
        Process loops = service.exec("web1", List.of("sh", "-c", "while :; do :; done & while :; do :; done"));
        try {
            Thread.sleep(500);
            Duration cpuBefore = cpuTime("web1");
            long wallBefore = System.nanoTime();
            Thread.sleep(3_000);
            Duration cpuAfter = cpuTime("web1");
            long wallNanos = System.nanoTime() - wallBefore;

            double cores = (double) cpuAfter.minus(cpuBefore).toNanos() / wallNanos;
            assertTrue("CPU use " + cores + " cores, expected at least 0.35", cores >= 0.35);
            assertTrue("CPU use " + cores + " cores, expected at most 0.65", cores <= 0.65);
            long throttled = statsOf("web1").throttledPeriods();
            assertTrue("throttled periods " + throttled, throttled > 0);
        } finally {
            loops.destroyForcibly();
        }
    }

    @Test
    public void addressSpaceLimitRejectsLargeAllocation() throws Exception {
        limits.preparation = (spec, record, plan) -> plan.rlimit(new LaunchPlan.Rlimit("as", ADDRESS_SPACE_LIMIT,
                ADDRESS_SPACE_LIMIT));
        service.create("web1", Map.of("limits.rlimit.as", Long.toString(ADDRESS_SPACE_LIMIT)), List.of());
        service.start("web1");

        ExecResult limitsFile = run("web1", "cat", "/proc/self/limits");
        ExecResult large = run("web1", "dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=1");
        ExecResult small = run("web1", "dd", "if=/dev/zero", "of=/dev/null", "bs=8M", "count=1");

        assertTrue(limitsFile.output(), limitsFile.output().matches("(?s).*\\nMax address space +" + ADDRESS_SPACE_LIMIT + " +"
                + ADDRESS_SPACE_LIMIT + " +bytes.*"));
        assertNotEquals(large.error(), 0, large.exitCode());
        // Busybox reports a failed malloc(), here ENOMEM from mmap() above RLIMIT_AS, as "out of memory".
        assertTrue(large.error(), large.error().contains("out of memory"));
        assertEquals(small.error(), 0, small.exitCode());
    }

    @Test
    public void shmWritesAreChargedToGuest() throws Exception {
        limits.preparation = (spec, record, plan) -> {
            changeCgroup(record, group -> group.setMemoryMax(MEMORY_LIMIT));
            plan.shmSize(SHM_SIZE);
        };
        service.create("web1", Map.of("limits.memory", "64M", "limits.shm", "16M"), List.of());
        service.start("web1");
        long shmemBefore = shmemBytes("web1");
        long usageBefore = statsOf("web1").memoryBytes();

        ExecResult write = run("web1", "dd", "if=/dev/zero", "of=/dev/shm/fill", "bs=1M", "count=8");

        assertEquals(write.error(), 0, write.exitCode());
        assertEquals(8 * MIB, shmemBytes("web1") - shmemBefore);
        // Total use also moves with other pages of the guest, such as page cache freed meanwhile.
        long growth = statsOf("web1").memoryBytes() - usageBefore;
        assertTrue("memory use grew by " + growth + " bytes", growth >= 8 * MIB - CHARGE_SLACK);
        assertTrue("memory use grew by " + growth + " bytes", growth <= 8 * MIB + CHARGE_SLACK);
    }

    @Test
    public void writeBeyondShmSizeFails() throws Exception {
        limits.preparation = (spec, record, plan) -> {
            changeCgroup(record, group -> group.setMemoryMax(MEMORY_LIMIT));
            plan.shmSize(SHM_SIZE);
        };
        service.create("web1", Map.of("limits.memory", "64M", "limits.shm", "16M"), List.of());
        service.start("web1");

        ExecResult size = run("web1", "df", "-k", "/dev/shm");
        ExecResult write = run("web1", "dd", "if=/dev/zero", "of=/dev/shm/fill", "bs=1M", "count=24");

        assertTrue(size.output(), size.output().matches("(?s).*\\nshm +" + SHM_SIZE / 1024 + " .*"));
        assertNotEquals(write.error(), 0, write.exitCode());
        assertTrue(write.error(), write.error().contains("No space left on device"));
        assertEquals(SHM_SIZE, shmemBytes("web1"));
        assertEquals(GuestState.RUNNING, service.status("web1").state());
    }

    @Test
    public void tmpTmpfsIsSizedAndCharged() throws Exception {
        limits.preparation = (spec, record, plan) -> {
            changeCgroup(record, group -> group.setMemoryMax(MEMORY_LIMIT));
            plan.addTmpfs(new LaunchPlan.Tmpfs("/tmp", TMP_SIZE));
        };
        service.create("web1", Map.of("limits.memory", "64M", "limits.tmp", "8M"), List.of());
        service.start("web1");
        long shmemBefore = shmemBytes("web1");

        ExecResult fits = run("web1", "dd", "if=/dev/zero", "of=/tmp/first", "bs=1M", "count=4");
        long charged = shmemBytes("web1") - shmemBefore;
        ExecResult overflows = run("web1", "dd", "if=/dev/zero", "of=/tmp/second", "bs=1M", "count=8");

        assertEquals(fits.error(), 0, fits.exitCode());
        assertEquals(4 * MIB, charged);
        assertNotEquals(overflows.error(), 0, overflows.exitCode());
        assertTrue(overflows.error(), overflows.error().contains("No space left on device"));
    }

    @Test
    public void shmLargerThanMemoryStopsAtMemoryLimit() throws Exception {
        long memory = 32 * MIB;
        limits.preparation = (spec, record, plan) -> {
            changeCgroup(record, group -> group.setMemoryMax(memory));
            plan.shmSize(64 * MIB);
        };
        service.create("web1", Map.of("limits.memory", "32M", "limits.shm", "64M"), List.of());
        service.start("web1");

        // The tmpfs has room for 48 MiB, but the memory cgroup does not: the kernel's OOM killer ends the writer.
        ExecResult write = run("web1", "dd", "if=/dev/zero", "of=/dev/shm/fill", "bs=1M", "count=48");

        assertNotEquals(write.error(), 0, write.exitCode());
        long shmem = shmemBytes("web1");
        assertTrue("shmem " + shmem + " bytes", shmem <= memory);
        GuestStats stats = statsOf("web1");
        assertTrue("oom kills " + stats.oomKills(), stats.oomKills() > 0);
    }

    private GuestStats statsOf(String name) {
        return service.stats().stream().filter(stats -> stats.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no statistics for " + name + " in " + service.stats()));
    }

    /** Returns the guest's CPU time, user plus system, as {@code vserver:stat} shows it. */
    private Duration cpuTime(String name) {
        GuestStats stats = statsOf(name);
        assertNotNull("CPU user time of " + name, stats.cpuUser());
        assertNotNull("CPU system time of " + name, stats.cpuSystem());
        return stats.cpuUser().plus(stats.cpuSystem());
    }

    /** Returns the bytes of tmpfs and shared memory charged to the guest: {@code shmem} of {@code memory.stat}. */
    private long shmemBytes(String name) throws IOException {
        CgroupHierarchies hierarchies = CgroupHierarchies.discover();
        CgroupHierarchy memory = hierarchies.forController("memory").orElseThrow();
        String stat = hierarchies.group(cgroupParent + "/" + name).read(memory, "memory.stat");
        for (String line : stat.split("\n")) {
            if (line.startsWith("shmem ")) {
                return Long.parseLong(line.substring("shmem ".length()).trim());
            }
        }
        throw new AssertionError("no shmem line in memory.stat of " + name + ": " + stat);
    }

    private static void changeCgroup(GuestRecord record, CgroupChange change) throws VServerException {
        try {
            change.apply(CgroupHierarchies.discover().group(record.cgroupPath()));
        } catch (IOException e) {
            throw new VServerException("failed to set a limit on " + record.cgroupPath() + ": " + e.getMessage(), e);
        }
    }

    /** Runs a command in the guest and returns its exit code, stdout and stderr. */
    private ExecResult run(String name, String... command) throws Exception {
        Process process = service.exec(name, List.of(command));
        process.getOutputStream().close();
        CompletableFuture<String> error = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        String output = readAll(process.getInputStream());
        assertTrue("exec of " + List.of(command) + " did not end", process.waitFor(WAIT.toSeconds(),
                TimeUnit.SECONDS));
        return new ExecResult(process.exitValue(), output, error.get(WAIT.toSeconds(), TimeUnit.SECONDS));
    }

    private static String readAll(InputStream stream) {
        try {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
