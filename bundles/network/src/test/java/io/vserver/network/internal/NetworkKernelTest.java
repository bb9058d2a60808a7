package io.vserver.network.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.vserver.api.GuestRecord;
import io.vserver.api.GuestSpec;
import io.vserver.api.LaunchPlan;
import io.vserver.api.RunningGuest;
import io.vserver.api.UpdateOutcome;
import io.vserver.api.VServerException;
import io.vserver.kmod.bpf.ChbindMap;
import io.vserver.kmod.bpf.GuestAddresses;
import io.vserver.kmod.cgroup.Cgroup;
import io.vserver.kmod.cgroup.CgroupHierarchies;

/**
 * The network element against the real kernel: chbind map entries, addresses on a device (a bridge, which
 * needs no kernel module) and veth pairs on a bridge, all inside a cgroup parent {@code vserver-test-net-*},
 * its pin directory and network namespaces the test makes and removes. The guests here are
 * plain processes in their own network namespace; the Pax Exam tests boot real guests.
 */
public class NetworkKernelTest {

    @Rule
    public TemporaryFolder folder = new TemporaryFolder();

    private final String suffix = UUID.randomUUID().toString().substring(0, 8);
    private final String parent = "vserver-test-net-" + suffix;
    private final String namespaceName = "vstest-" + suffix;
    private final List<Process> holders = new ArrayList<>();
    private final List<GuestRecord> records = new ArrayList<>();
    private CgroupHierarchies hierarchies;
    private NetworkElement element;
    private boolean namespaceMade;

    @Before
    public void setUp() throws Exception {
        int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        require(uid == 0, "needs root for cgroups, BPF programs and network namespaces, running as uid " + uid);
        hierarchies = CgroupHierarchies.discover();
        require(hierarchies.unified().isPresent(), "needs a cgroup2 hierarchy; mounted: " + hierarchies);
        element = new NetworkElement();
        element.activate(folder.newFolder("bpf").toPath());
        run("ip", "netns", "add", namespaceName);
        namespaceMade = true;
        run("ip", "-n", namespaceName, "link", "add", "vsdev0", "type", "bridge");
        run("ip", "-n", namespaceName, "link", "set", "vsdev0", "up");
    }

    private static void require(boolean condition, String reason) {
        if (!condition && System.getenv("CI") != null) {
            fail(reason + " (CI is set, so kernel tests must not skip)");
        }
        Assume.assumeTrue(reason, condition);
    }

    @After
    public void tearDown() throws Exception {
        List<Exception> failures = new ArrayList<>();
        for (Process holder : holders) {
            holder.destroyForcibly().waitFor();
        }
        if (element != null) {
            for (GuestRecord record : records) {
                attempt(failures, () -> element.release(record));
            }
            element.deactivate();
        }
        if (namespaceMade) {
            attempt(failures, () -> run("ip", "netns", "del", namespaceName));
        }
        if (hierarchies != null) {
            attempt(failures, () -> hierarchies.group(parent).remove());
        }
        attempt(failures, this::removePins);
        if (!failures.isEmpty()) {
            Exception first = failures.get(0);
            failures.subList(1, failures.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    private interface Step {
        void run() throws Exception;
    }

    /** Runs one clean-up step and keeps its failure, so the later steps still run. */
    private static void attempt(List<Exception> failures, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            failures.add(e);
        }
    }

    private void removePins() throws IOException {
        Path pins = ChbindPrograms.pinDirectory(parent);
        if (Files.exists(pins)) {
            try (Stream<Path> paths = Files.walk(pins)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }

    private GuestRecord record(String name, int xid) throws IOException {
        hierarchies.group(parent + "/" + name).create();
        GuestRecord record = new GuestRecord(name, xid, folder.getRoot().toPath().resolve("data/" + name),
                folder.getRoot().toPath().resolve("run/" + name), parent + "/" + name);
        records.add(record);
        return record;
    }

    private static GuestSpec spec(String name, int xid, Map<String, String> settings) {
        return new GuestSpec(name, xid, List.of(), settings, Map.of());
    }

    private static LaunchPlan planWithCapabilities() {
        LaunchPlan plan = new LaunchPlan();
        for (LaunchPlan.CapabilitySetKind kind : List.of(LaunchPlan.CapabilitySetKind.BOUNDING,
                LaunchPlan.CapabilitySetKind.PERMITTED, LaunchPlan.CapabilitySetKind.EFFECTIVE)) {
            plan.capabilities(kind, Set.of("chown", "net_raw", "net_bind_service", "net_admin"));
        }
        return plan;
    }

    private Optional<GuestAddresses> mapEntry(GuestRecord record) throws IOException {
        if (!Files.exists(ChbindPrograms.pinDirectory(parent))) {
            return Optional.empty();
        }
        try (ChbindMap map = ChbindMap.open(ChbindPrograms.pinDirectory(parent))) {
            return map.get(hierarchies.group(record.cgroupPath()).cgroupId());
        }
    }

    private String deviceAddresses() throws IOException, InterruptedException {
        return run("ip", "-n", namespaceName, "-o", "address", "show", "dev", "vsdev0");
    }

    @Test
    public void bindSetsEntryAndDropsRawSockets() throws Exception {
        GuestRecord record = record("web1", 300);
        LaunchPlan plan = planWithCapabilities();

        element.prepare(spec("web1", 300, Map.of("network.address", "127.0.1.11")), record, plan);

        assertEquals(LaunchPlan.NetworkNamespace.HOST, plan.network());
        assertEquals(Set.of("chown", "net_bind_service"), plan.capabilities(LaunchPlan.CapabilitySetKind.BOUNDING));
        GuestAddresses entry = mapEntry(record).orElseThrow(() -> new AssertionError("no chbind entry"));
        assertEquals(InetAddress.getByName("127.0.1.11"), entry.ipv4());
        assertEquals(InetAddress.getByName("127.1.44.1"), entry.loopback());
        assertTrue(Files.isDirectory(ChbindPrograms.pinDirectory(parent).resolve("links")));

        element.release(record);

        assertEquals(Optional.empty(), mapEntry(record));
        assertFalse(Files.exists(record.runDirectory().resolve(NetworkState.FILE_NAME)));
    }

    @Test
    public void bindManagesDeviceAddresses() throws Exception {
        GuestRecord record = record("web2", 301);
        GuestSpec spec = spec("web2", 301, Map.of("network.address", "10.77.0.2,fd00:77::2",
                "network.device", "vsdev0", "network.namespace", namespaceName));
        LaunchPlan plan = planWithCapabilities();

        element.prepare(spec, record, plan);

        assertEquals(LaunchPlan.NetworkNamespace.JOIN, plan.network());
        assertEquals(Path.of("/run/netns", namespaceName), plan.networkNamespacePath());
        String addresses = deviceAddresses();
        assertTrue(addresses, addresses.contains("inet 10.77.0.2/32"));
        assertTrue(addresses, addresses.contains("inet6 fd00:77::2/128"));

        GuestSpec moved = spec("web2", 301, Map.of("network.address", "10.77.0.5", "network.device", "vsdev0",
                "network.namespace", namespaceName));
        Map<String, UpdateOutcome> outcomes = element.update(new RunningGuest(record, spec, 1, 1), moved);

        assertEquals(Map.of("network.address", UpdateOutcome.APPLIED), outcomes);
        addresses = deviceAddresses();
        assertTrue(addresses, addresses.contains("inet 10.77.0.5/32"));
        assertFalse(addresses, addresses.contains("10.77.0.2/32"));
        assertFalse(addresses, addresses.contains("fd00:77::2"));
        assertEquals(InetAddress.getByName("10.77.0.5"), mapEntry(record).orElseThrow().ipv4());

        element.release(record);

        assertFalse(deviceAddresses().contains("10.77.0."));
        assertEquals(Optional.empty(), mapEntry(record));
    }

    @Test
    public void addressInUseIsLeftAlone() throws Exception {
        run("ip", "-n", namespaceName, "address", "add", "10.77.0.9/32", "dev", "vsdev0");
        GuestRecord record = record("web3", 302);
        GuestSpec spec = spec("web3", 302, Map.of("network.address", "10.77.0.9", "network.device", "vsdev0",
                "network.namespace", namespaceName));

        VServerException e = assertThrows(VServerException.class,
                () -> element.prepare(spec, record, planWithCapabilities()));
        element.release(record);

        assertTrue(e.getMessage(), e.getMessage().contains("address 10.77.0.9/32 is on vsdev0 already"));
        assertTrue(deviceAddresses().contains("inet 10.77.0.9/32"));
        assertEquals(Optional.empty(), mapEntry(record));
    }

    @Test
    public void addressOfRunningGuestIsTaken() throws Exception {
        element.prepare(spec("web5", 305, Map.of("network.address", "127.0.1.15")), record("web5", 305),
                planWithCapabilities());
        GuestRecord second = record("web6", 306);

        VServerException e = assertThrows(VServerException.class, () -> element.prepare(spec("web6", 306,
                Map.of("network.address", "127.0.1.15")), second, planWithCapabilities()));
        element.release(second);

        assertTrue(e.getMessage(), e.getMessage().contains("address 127.0.1.15 belongs to running guest web5"));
        assertEquals(Optional.empty(), mapEntry(second));
    }

    @Test
    public void pendingModeChangeIsNotAppliedLive() throws Exception {
        GuestRecord record = record("web7", 307);
        element.prepare(spec("web7", 307, Map.of("network.address", "127.0.1.17")), record, planWithCapabilities());
        int hostPid = (int) ProcessHandle.current().pid();
        // The spec has network.mode=isolated waiting for a restart, while the guest runs in bind mode.
        GuestSpec pending = spec("web7", 307, Map.of("network.mode", "isolated", "network.address", "10.78.0.7/24"));
        RunningGuest running = new RunningGuest(record, pending, hostPid, 1);

        Map<String, UpdateOutcome> outcomes = element.update(running, spec("web7", 307,
                Map.of("network.mode", "isolated", "network.address", "10.78.0.8/24")));

        assertEquals(Map.of("network.address", UpdateOutcome.NEEDS_RESTART), outcomes);
        IOException e = assertThrows(IOException.class, () -> IsolatedNetwork.checkOwnNamespace(running));
        assertTrue(e.getMessage(), e.getMessage().contains("shares the host VM's network namespace"));
    }

    @Test
    public void otherKeysNeedRestart() throws Exception {
        GuestRecord record = record("web4", 303);
        GuestSpec spec = spec("web4", 303, Map.of("network.address", "127.0.1.14"));
        element.prepare(spec, record, planWithCapabilities());

        Map<String, UpdateOutcome> outcomes = element.update(new RunningGuest(record, spec, 1, 1),
                spec("web4", 303, Map.of("network.address", "10.77.0.7", "network.device", "vsdev0")));

        assertEquals(Map.of("network.address", UpdateOutcome.NEEDS_RESTART,
                "network.device", UpdateOutcome.NEEDS_RESTART), outcomes);
        assertEquals(InetAddress.getByName("127.0.1.14"), mapEntry(record).orElseThrow().ipv4());
    }

    @Test
    public void isolatedGuestsReachEachOther() throws Exception {
        RunningGuest first = startIsolated("db1", 310, "10.78.0.2/24");
        RunningGuest second = startIsolated("db2", 311, "10.78.0.3/24");

        String ping = run("nsenter", "--net=/proc/" + first.initPid() + "/ns/net", "busybox", "ping", "-c", "1",
                "-W", "5", "10.78.0.3");
        assertTrue(ping, ping.contains("1 packets received"));
        String links = run("ip", "-n", namespaceName, "-o", "link", "show", "master", "vsbr0");
        assertTrue(links, links.contains("vs310@"));
        assertTrue(links, links.contains("vs311@"));

        Map<String, UpdateOutcome> outcomes = element.update(second, spec("db2", 311,
                Map.of("network.mode", "isolated", "network.address", "10.78.0.4/24", "network.namespace",
                        namespaceName)));
        assertEquals(Map.of("network.address", UpdateOutcome.APPLIED), outcomes);
        ping = run("nsenter", "--net=/proc/" + first.initPid() + "/ns/net", "busybox", "ping", "-c", "1", "-W", "5",
                "10.78.0.4");
        assertTrue(ping, ping.contains("1 packets received"));

        element.release(first.record());
        links = run("ip", "-n", namespaceName, "-o", "link", "show");
        assertFalse(links, links.contains("vs310"));
    }

    /** Starts a process in a new network namespace and attaches it as an isolated guest. */
    private RunningGuest startIsolated(String name, int xid, String address) throws Exception {
        GuestRecord record = record(name, xid);
        GuestSpec spec = spec(name, xid, Map.of("network.mode", "isolated", "network.address", address,
                "network.namespace", namespaceName));
        LaunchPlan plan = new LaunchPlan();
        element.prepare(spec, record, plan);
        assertEquals(LaunchPlan.NetworkNamespace.NEW, plan.network());
        Process holder = new ProcessBuilder("unshare", "--net", "sh", "-c", "echo ready; exec sleep 600").start();
        holders.add(holder);
        String line = new String(holder.getInputStream().readNBytes(6), StandardCharsets.UTF_8);
        assertEquals("ready\n", line);
        RunningGuest guest = new RunningGuest(record, spec, (int) holder.pid(), 1);
        element.attach(guest);
        return guest;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
        return output;
    }
}
