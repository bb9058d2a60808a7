package io.vserver.itests;

import static io.vserver.kmod.caps.Capability.*;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import io.vserver.api.FailureReason;
import io.vserver.api.GuestState;
import io.vserver.api.GuestStatus;
import io.vserver.api.VServerException;
import io.vserver.kmod.caps.Capability;
import io.vserver.kmod.caps.CapabilitySet;
import io.vserver.kmod.proc.MountEntry;
import io.vserver.kmod.proc.Namespace;
import io.vserver.kmod.proc.ProcFs;
import io.vserver.kmod.proc.ProcStatus;

/**
 * Checks in the kernel's own state that a guest's processes are confined: their cgroups,
 * namespaces and capability sets, and what guest root can and cannot do with the default profile.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GuestIsolationIT extends GuestTestSupport {

    /** The capabilities of {@code capabilities.profile=default}, Docker's default set. */
    private static final CapabilitySet DEFAULT_PROFILE = CapabilitySet.of(CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FSETID,
            CAP_FOWNER, CAP_MKNOD, CAP_NET_RAW, CAP_SETGID, CAP_SETUID, CAP_SETFCAP, CAP_SETPCAP,
            CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT, CAP_KILL, CAP_AUDIT_WRITE);

    /** The capabilities of {@code capabilities.profile=classic}, util-vserver's default bounding set. */
    private static final CapabilitySet CLASSIC_PROFILE = CapabilitySet.of(CAP_CHOWN, CAP_DAC_OVERRIDE,
            CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID, CAP_KILL, CAP_SETGID, CAP_SETUID, CAP_NET_BIND_SERVICE,
            CAP_SYS_CHROOT, CAP_SYS_PTRACE, CAP_SYS_BOOT, CAP_SYS_TTY_CONFIG, CAP_LEASE, CAP_AUDIT_WRITE);

    @Test
    public void execJoinsGuestContext() throws Exception {
        createCommandGuest("joined", "/bin/sleep infinity");
        int reaper = startGuest("joined").initPid();

        Process sleeper = guests().exec("joined", List.of("/bin/sleep", "29.5"));
        try {
            int pid = awaitProcess("/bin/sleep\u000029.5");
            String guestCgroup = "/" + cgroupParent + "/joined";
            List<String> paths = KernelState.cgroupPaths(pid);
            assertFalse("cgroups of exec'ed process " + pid, paths.isEmpty());
            for (String path : paths) {
                assertTrue("cgroup " + path + " of exec'ed process " + pid + " is the guest's " + guestCgroup
                        + " in every hierarchy: " + paths,
                        path.equals(guestCgroup) || path.startsWith(guestCgroup + "/"));
            }

            Map<String, Namespace> ofInit = KernelState.namespaces(reaper);
            Map<String, Namespace> ofExec = KernelState.namespaces(pid);
            Map<String, Namespace> ofHost = KernelState.namespaces((int) ProcessHandle.current().pid());
            for (String type : List.of("mnt", "uts", "ipc", "pid", "net", "cgroup")) {
                assertEquals(type + " namespace of exec'ed process", ofInit.get(type), ofExec.get(type));
                assertNotEquals(type + " namespace differs from the host's", ofHost.get(type), ofExec.get(type));
            }

            ProcStatus status = ProcFs.system().status(pid);
            assertEquals("CapBnd of exec'ed process", DEFAULT_PROFILE, status.capBnd());
            assertEquals("CapEff of exec'ed process", DEFAULT_PROFILE, status.capEff());
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    public void profilesSetCapabilities() throws Exception {
        CapabilitySet kernel = CapabilitySet.upTo(Capability.kernelLastCap());
        Map<String, CapabilitySet> expected = new LinkedHashMap<>();
        expected.put("default", DEFAULT_PROFILE);
        expected.put("minimal", CapabilitySet.empty());
        expected.put("classic", CLASSIC_PROFILE);

        for (Map.Entry<String, CapabilitySet> profile : expected.entrySet()) {
            String name = "caps-" + profile.getKey();
            createCommandGuest(name, "/bin/sleep infinity", "capabilities.profile=" + profile.getKey());
            startGuest(name);

            ProcStatus status = guestStatus(name);

            assertEquals("CapBnd in a guest with profile " + profile.getKey(), profile.getValue(), status.capBnd());
            assertEquals("CapEff in a guest with profile " + profile.getKey(), profile.getValue(), status.capEff());
            assertTrue("CapAmb in a guest with profile " + profile.getKey(), status.capAmb().isEmpty());
        }
    }

    /**
     * Checks the privileged profile: every capability the host VM itself holds. A host that
     * runs without some capability, as in a sandbox that dropped CAP_SYS_RESOURCE, cannot
     * grant it, so the guest gets the rest.
     */
    @Test
    public void privilegedProfileGetsAllTheHostHas() throws Exception {
        CapabilitySet hostBounding = ProcFs.system().status((int) ProcessHandle.current().pid()).capBnd();
        CapabilitySet expected = CapabilitySet.allKnown().intersect(CapabilitySet.upTo(Capability.kernelLastCap()))
                .intersect(hostBounding);
        createCommandGuest("caps-privileged", "/bin/sleep infinity", "capabilities.profile=privileged");

        startGuest("caps-privileged");

        ProcStatus status = guestStatus("caps-privileged");
        assertEquals("CapBnd in a privileged guest", expected, status.capBnd());
        assertEquals("CapEff in a privileged guest", expected, status.capEff());
        assertTrue("privileged guest is flagged: " + guests().status("caps-privileged").flags(),
                guests().status("caps-privileged").flags().contains("privileged"));
    }

    @Test
    public void addAndDropAdjustProfile() throws Exception {
        createCommandGuest("caps-adjusted", "/bin/sleep infinity", "capabilities.add=net_admin,CAP_SYS_PTRACE",
                "capabilities.drop=net_raw,mknod");
        startGuest("caps-adjusted");

        ProcStatus status = guestStatus("caps-adjusted");

        CapabilitySet expected = DEFAULT_PROFILE.with(CAP_NET_ADMIN, CAP_SYS_PTRACE).without(CAP_NET_RAW, CAP_MKNOD);
        assertEquals("CapBnd", expected, status.capBnd());
        assertEquals("CapEff", expected, status.capEff());
    }

    @Test
    public void defaultGuestCannotChangeHost() throws Exception {
        createCommandGuest("confined", "/bin/sleep infinity");
        startGuest("confined");

        ExecResult mount = exec("confined", "mount", "-t", "tmpfs", "x", "/mnt");
        assertNotEquals("mount -t tmpfs in the guest: " + mount.describe(), 0, mount.exitCode());
        assertFalse("tmpfs mounted in the guest", execOk("confined", "cat", "/proc/self/mountinfo")
                .contains(" /mnt "));

        // Sets the clock to the time it already has, so that a failing check changes nothing.
        ExecResult date = exec("confined", "sh", "-c", "date -s @$(date +%s)");
        assertNotEquals("date -s in the guest: " + date.describe(), 0, date.exitCode());
        assertTrue("date -s error: " + date.describe(), date.stderr().contains("not permitted"));

        // Writes a global sysctl's own value back, so that a failing check changes nothing.
        ExecResult sysctl = exec("confined", "sh", "-c",
                "cat /proc/sys/vm/overcommit_memory > /proc/sys/vm/overcommit_memory");
        assertNotEquals("write to /proc/sys/vm/overcommit_memory in the guest: " + sysctl.describe(), 0,
                sysctl.exitCode());

        // NOTE: this kernel has no module support, so init_module fails with ENOSYS for anyone.
        // On a kernel with modules, the missing CAP_SYS_MODULE is what stops the guest.
        assertFalse("CapBnd has sys_module", guestStatus("confined").capBnd().contains(CAP_SYS_MODULE));
        ExecResult insmod = exec("confined", "busybox", "insmod", "/etc/hostname");
        assertNotEquals("insmod in the guest: " + insmod.describe(), 0, insmod.exitCode());
    }

    @Test
    public void deviceNodeCannotReadHostDisk() throws Exception {
        String rootDevice = rootDevice();
        String[] majorMinor = rootDevice.split(":");
        createCommandGuest("nodev", "/bin/sleep infinity");
        startGuest("nodev");

        for (String directory : List.of("/tmp", "/dev", "/root", "/var", "/run", "/home")) {
            String node = directory + "/hostdisk";
            ExecResult mknod = exec("nodev", "mknod", node, "b", majorMinor[0], majorMinor[1]);
            ExecResult read = exec("nodev", "dd", "if=" + node, "of=/dev/null", "bs=512", "count=1");
            assertNotEquals("guest read the host disk " + rootDevice + " through " + node + " (mknod: "
                    + mknod.describe() + ")\n" + read.describe(), 0, read.exitCode());
            assertTrue("open of " + node + " is denied, not failing for another reason: " + read.describe(),
                    read.stderr().contains("Operation not permitted") || read.stderr().contains("Permission denied"));
            exec("nodev", "rm", "-f", node);
        }
    }

    @Test
    public void deviceNodeCannotReadHostMemory() throws Exception {
        createCommandGuest("nochar", "/bin/sleep infinity");
        startGuest("nochar");

        // /dev/mem (1:1) exposes physical memory and /dev/kmsg (1:11) the host's kernel log.
        for (String device : List.of("1 1", "1 11")) {
            String node = "/tmp/char-" + device.replace(' ', '-');
            String[] majorMinor = device.split(" ");
            ExecResult mknod = exec("nochar", "mknod", node, "c", majorMinor[0], majorMinor[1]);
            ExecResult read = exec("nochar", "dd", "if=" + node, "of=/dev/null", "bs=1", "count=1");
            assertNotEquals("guest read character device " + device + " through " + node + " (mknod: "
                    + mknod.describe() + ")\n" + read.describe(), 0, read.exitCode());
            exec("nochar", "rm", "-f", node);
        }

        ExecResult allowed = exec("nochar", "dd", "if=/dev/zero", "of=/dev/null", "bs=1", "count=1");
        assertEquals("/dev/zero and /dev/null stay usable: " + allowed.describe(), 0, allowed.exitCode());
    }

    /** Returns the /proc/self/status of a process started in guest {@code name}. */
    private ProcStatus guestStatus(String name) throws Exception {
        return ProcStatus.parse(execOk(name, "cat", "/proc/self/status"), "/proc/self/status in " + name);
    }

    /** Returns the MAJOR:MINOR of the block device mounted at / in the host. */
    private static String rootDevice() throws Exception {
        Optional<MountEntry> root = ProcFs.system().mounts(1).stream()
                .filter(mount -> mount.mountPoint().equals("/")).findFirst();
        String device = root.orElseThrow(() -> new AssertionError("no / in the host's mountinfo")).device();
        assertTrue("/ is on block device " + device, Files.exists(Path.of("/sys/dev/block", device)));
        return device;
    }

    /** Waits for the process whose /proc/PID/cmdline is {@code cmdline} and returns its pid. */
    private static int awaitProcess(String cmdline) throws Exception {
        int[] found = new int[1];
        await("process " + cmdline.replace('\0', ' '), GUEST_TIMEOUT, () -> {
            for (ProcessHandle process : ProcessHandle.allProcesses().toList()) {
                try {
                    Path file = Path.of("/proc", Long.toString(process.pid()), "cmdline");
                    String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
                    if (text.equals(cmdline + "\0")) {
                        found[0] = (int) process.pid();
                        return true;
                    }
                } catch (java.io.IOException e) {
                    // The process ended while the list was read.
                }
            }
            return false;
        });
        return found[0];
    }
}
