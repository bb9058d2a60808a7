package io.vserver.kmod.vcontext;

import io.vserver.kmod.caps.Capability;
import io.vserver.kmod.caps.CapabilitySet;
import io.vserver.kmod.libc.ExitStatus;
import io.vserver.kmod.libc.Pidfd;
import io.vserver.kmod.libc.Signal;
import io.vserver.kmod.proc.MountEntry;
import io.vserver.kmod.proc.MountInfo;
import io.vserver.kmod.proc.ProcStatus;
import org.junit.Rule;
import org.junit.Test;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static io.vserver.kmod.vcontext.GuestRun.section;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

/** Starts real busybox guests with vcontext and checks what they see from inside; needs root. */
public class GuestIsolationTest {

    private static final CapabilitySet BOUNDING =
            CapabilitySet.of(Capability.CAP_CHOWN, Capability.CAP_NET_BIND_SERVICE);

    @Rule
    public final GuestRule guests = new GuestRule();

    @Test
    public void guestSeesOnlyItsProcesses() throws Exception {
        GuestRun run = guests.runToExit(guests.request("ps")
                .init("/bin/sh", "-c", section("ps", "ps") + "exit 0").build());

        List<String> lines = run.section("ps");
        Set<Integer> pids = new TreeSet<>();
        String psLine = null;
        for (String line : lines.subList(1, lines.size())) {
            int pid = Integer.parseInt(line.trim().split("\\s+")[0]);
            pids.add(pid);
            if (pid != 1) {
                psLine = line;
            }
        }
        GuestRule.assertConsole("ps lists pid 1 and one other process", pids.size() == 2 && pids.contains(1),
                run.console());
        GuestRule.assertConsole("the other process is ps itself", psLine.contains("ps"), run.console());
    }

    @Test
    public void guestHasRequestedHostname() throws Exception {
        GuestRun run = guests.runToExit(guests.request("uts").hostname("web1.example")
                .init("/bin/sh", "-c", section("hostname", "hostname")).build());

        assertEquals(List.of("web1.example"), run.section("hostname"));
    }

    @Test
    public void guestHasRequestedCapabilities() throws Exception {
        CapabilitySet inheritable = CapabilitySet.of(Capability.CAP_CHOWN);
        GuestRun run = guests.runToExit(guests.request("caps")
                .bounding(BOUNDING)
                .inheritable(inheritable)
                .ambient(inheritable)
                .init("/bin/sh", "-c", section("status", "cat /proc/self/status")).build());

        ProcStatus status = ProcStatus.parse(String.join("\n", run.section("status")), "guest status");
        assertSameBits("CapBnd", BOUNDING, status.capBnd());
        // As uid 0, execve() sets the permitted and effective sets to bounding | inheritable.
        assertSameBits("CapPrm", BOUNDING, status.capPrm());
        assertSameBits("CapEff", BOUNDING, status.capEff());
        assertSameBits("CapInh", inheritable, status.capInh());
        assertSameBits("CapAmb", inheritable, status.capAmb());
    }

    static void assertSameBits(String field, CapabilitySet expected, CapabilitySet actual) {
        for (int bit = 0; bit < Long.SIZE; bit++) {
            String name = bit < Capability.values().length ? Capability.of(bit).name() : "unnamed";
            assertEquals(field + " bit " + bit + " (" + name + ") of " + actual,
                    (expected.mask() & (1L << bit)) != 0, (actual.mask() & (1L << bit)) != 0);
        }
    }

    @Test
    public void procSysIsReadOnly() throws Exception {
        GuestRun run = guests.runToExit(guests.request("procsys").init("/bin/sh", "-c",
                section("write", "echo intruder > /proc/sys/kernel/hostname; echo status=$?")
                        + section("hostname", "hostname")).build());

        List<String> write = run.section("write");
        assertEquals(run.console(), "status=1", write.get(write.size() - 1));
        GuestRule.assertConsole("the write fails as read-only",
                String.join("\n", write).contains("Read-only file system"), run.console());
        assertEquals(List.of("procsys"), run.section("hostname"));
    }

    @Test
    public void sysIsReadOnly() throws Exception {
        // 65536 is the loopback MTU already, so even a wrongly writable /sys would change nothing.
        GuestRun run = guests.runToExit(guests.request("sys").init("/bin/sh", "-c",
                section("write", "echo 65536 > /sys/class/net/lo/mtu; echo status=$?")).build());

        List<String> write = run.section("write");
        assertEquals(run.console(), "status=1", write.get(write.size() - 1));
        GuestRule.assertConsole("the write fails as read-only",
                String.join("\n", write).contains("Read-only file system"), run.console());
    }

    @Test
    public void mountinfoShowsNoHostMount() throws Exception {
        GuestRun run = guests.runToExit(guests.request("mounts").init("/bin/sh", "-c",
                section("mountinfo", "cat /proc/self/mountinfo")).build());

        List<String> lines = run.section("mountinfo");
        List<MountEntry> mounts = MountInfo.parse(String.join("\n", lines), "guest mountinfo");
        assertFalse(run.console(), mounts.isEmpty());
        for (MountEntry mount : mounts) {
            String point = mount.mountPoint();
            assertTrue("guest mount point " + point + " is outside /, /proc, /sys and /dev:\n" + run.console(),
                    point.equals("/") || isUnder(point, "/proc") || isUnder(point, "/sys")
                            || isUnder(point, "/dev"));
            assertFalse("guest sees a cgroup mount:\n" + run.console(),
                    mount.fileSystemType().startsWith("cgroup"));
        }
        for (String line : lines) {
            assertFalse("guest sees a mount of /work: " + line, line.contains("/work"));
            assertFalse("guest sees a host cgroup mount: " + line, line.contains("/sys/fs/cgroup"));
        }
    }

    private static boolean isUnder(String path, String directory) {
        return path.equals(directory) || path.startsWith(directory + "/");
    }

    @Test
    public void exitCodeReachesExitRecord() throws Exception {
        Instant before = Instant.now();
        GuestRun run = guests.runToExit(guests.request("exit").init("/bin/sh", "-c", "exit 3").build());

        assertEquals(ExitStatus.exited(3), run.exit().status());
        assertEquals(run.launch().pid(), run.exit().pid());
        assertFalse(run.exit().exitedAt().isBefore(before.minusSeconds(1)));
        assertFalse(run.exit().exitedAt().isAfter(Instant.now().plusSeconds(1)));
    }

    @Test
    public void signalReachesExitRecord() throws Exception {
        CreateRequest request = guests.request("signal").init("/bin/sleep", "600").build();
        Launch launch = guests.start(request);
        try (Pidfd init = Pidfd.open(launch.pid())) {
            init.sendSignal(Signal.SIGKILL);
        }
        guests.awaitExit(launch.monitor());

        ExitRecord exit = VContext.readExit(request.runDirectory().orElseThrow());
        assertEquals(ExitStatus.killed(Signal.SIGKILL, false), exit.status());
        assertEquals(launch.pid(), exit.pid());
    }

    @Test
    public void reaperRunsInitAsPidTwo() throws Exception {
        GuestRun run = guests.runToExit(guests.request("reaper").reaper(true).init("/bin/sh", "-c",
                section("pid", "echo $$") + "exit 4").build());

        assertEquals(List.of("2"), run.section("pid"));
        assertEquals(ExitStatus.exited(4), run.exit().status());
    }

    @Test
    public void guestGetsRequestedSettings() throws Exception {
        Path data = guests.newDirectory("data");
        Files.writeString(data.resolve("file"), "from-host\n");
        CreateRequest request = guests.request("settings")
                .bind(data, "/data", true)
                .tmpfs(new TmpfsMount("/tmp", 1024 * 1024))
                .env("GREETING", "hello")
                .chdir("/etc")
                .rlimit(new ResourceLimit(RlimitResource.NOFILE, 64, 128))
                .noNewPrivileges(true)
                .init("/bin/sh", "-c", section("bind", "cat /data/file; echo x > /data/new; echo status=$?")
                        + section("tmpfs", "grep ' /tmp ' /proc/self/mountinfo")
                        + section("env", "echo $GREETING")
                        + section("cwd", "pwd")
                        + section("limits", "grep 'open files' /proc/self/limits")
                        + section("nnp", "grep NoNewPrivs /proc/self/status")
                        + section("net", "ls /sys/class/net"))
                .build();

        GuestRun run = guests.runToExit(request);

        List<String> bind = run.section("bind");
        assertEquals(run.console(), "from-host", bind.get(0));
        assertEquals(run.console(), "status=1", bind.get(bind.size() - 1));
        assertFalse(Files.exists(data.resolve("new")));
        List<String> tmpfs = run.section("tmpfs");
        assertEquals(run.console(), 1, tmpfs.size());
        assertTrue(run.console(), tmpfs.get(0).contains(" - tmpfs "));
        assertTrue(run.console(), tmpfs.get(0).contains("size=1024k"));
        assertEquals(List.of("hello"), run.section("env"));
        assertEquals(List.of("/etc"), run.section("cwd"));
        assertEquals(List.of("64", "128"), List.of(run.section("limits").get(0).trim().split("\\s+")).subList(3, 5));
        assertEquals(List.of("NoNewPrivs:\t1"), run.section("nnp"));
        assertEquals("a new network namespace has only loopback", List.of("lo"), run.section("net"));
    }

    @Test
    public void overlayWritesLandInUpper() throws Exception {
        Path lower = guests.rootfs();
        Path upper = guests.newDirectory("upper");
        Path work = guests.newDirectory("work");
        Path merged = guests.newDirectory("merged");
        CreateRequest request = CreateRequest.builder(merged)
                .name("overlay")
                .lower(lower)
                .upper(upper, work)
                .runDirectory(guests.newDirectory("run-overlay"))
                .init("/bin/sh", "-c", section("write", "echo written-by-guest > /etc/motd; cat /etc/motd"))
                .build();

        GuestRun run = guests.runToExit(request);

        assertEquals(List.of("written-by-guest"), run.section("write"));
        assertEquals("written-by-guest\n",
                Files.readString(upper.resolve("etc/motd"), StandardCharsets.UTF_8));
        assertFalse("the lower layer is unchanged", Files.exists(lower.resolve("etc/motd")));
        assertEquals("the merged directory stays empty on the host", 0, listNames(merged).size());
        assertEquals("no mount of the test folder on the host", List.of(), guests.mountsInFolder());
    }

    private static List<String> listNames(Path directory) throws Exception {
        List<String> names = new ArrayList<>();
        try (var entries = Files.list(directory)) {
            entries.forEach(entry -> names.add(entry.getFileName().toString()));
        }
        return names;
    }
}
