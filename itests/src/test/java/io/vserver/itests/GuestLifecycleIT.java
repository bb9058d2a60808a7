package io.vserver.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import io.vserver.api.FailureReason;
import io.vserver.api.GuestProcess;
import io.vserver.api.GuestState;
import io.vserver.api.GuestStatus;

/**
 * Boots, stops and restarts real guests and checks what the host and the guests see.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GuestLifecycleIT extends GuestTestSupport {

    @Test
    public void bootStopRestart() throws Exception {
        createCommandGuest("life", "/bin/sleep infinity");

        GuestStatus running = startGuest("life");
        int firstInit = running.initPid();
        assertTrue("init " + firstInit + " alive", KernelState.isAlive(firstInit));

        GuestStatus stopped = guests().stop("life", null);
        assertEquals(GuestState.STOPPED, stopped.state());
        assertEquals("init pid of a stopped guest", 0, stopped.initPid());
        assertFalse("init " + firstInit + " ended", KernelState.isAlive(firstInit));
        assertEquals("failure of a requested stop", null, stopped.failure());

        GuestStatus restarted = guests().restart("life");
        assertEquals(GuestState.RUNNING, restarted.state());
        assertNotEquals("a restart runs a new init", firstInit, restarted.initPid());
        assertTrue("restarted init alive", KernelState.isAlive(restarted.initPid()));

        GuestStatus restartedAgain = guests().restart("life");
        assertEquals(GuestState.RUNNING, restartedAgain.state());
        assertFalse("previous init " + restarted.initPid() + " ended", KernelState.isAlive(restarted.initPid()));

        assertEquals(GuestState.STOPPED, guests().stop("life", null).state());
    }

    @Test
    public void guestsSeeOwnProcesses() throws Exception {
        createCommandGuest("seer-a", "/bin/sleep 3001");
        createCommandGuest("seer-b", "/bin/sleep 3002");
        startGuest("seer-a");
        startGuest("seer-b");

        String inA = execOk("seer-a", "ps", "-eo", "pid,args");
        String inB = execOk("seer-b", "ps", "-eo", "pid,args");

        assertTrue("seer-a sees its init:\n" + inA, inA.contains("sleep 3001"));
        assertFalse("seer-a sees seer-b's init:\n" + inA, inA.contains("sleep 3002"));
        assertTrue("seer-b sees its init:\n" + inB, inB.contains("sleep 3002"));
        assertFalse("seer-b sees seer-a's init:\n" + inB, inB.contains("sleep 3001"));
        assertFalse("seer-a sees the host's Karaf:\n" + inA, inA.contains("karaf"));

        String procOfA = execOk("seer-a", "ls", "/proc");
        long pidDirectories = procOfA.lines().filter(line -> line.matches("[0-9]+")).count();
        assertTrue("seer-a's /proc lists only its few processes:\n" + procOfA, pidDirectories <= 4);

        List<GuestProcess> all = guests().allProcesses();
        assertTrue("allProcesses has seer-a's init: " + all, all.stream()
                .anyMatch(process -> process.guest().equals("seer-a") && process.command().contains("sleep 3001")));
        assertTrue("allProcesses has seer-b's init: " + all, all.stream()
                .anyMatch(process -> process.guest().equals("seer-b") && process.command().contains("sleep 3002")));
        assertTrue("allProcesses has host processes", all.stream().anyMatch(process -> process.xid() == 0));
        int xidOfA = guests().status("seer-a").xid();
        for (GuestProcess process : guests().processes("seer-a")) {
            assertEquals("context of " + process, xidOfA, process.xid());
        }
    }

    @Test
    public void shellShowsStates() throws Exception {
        awaitCommand("vserver", "list");
        createCommandGuest("shown", "/bin/sleep infinity");

        String stoppedList = executeCommand("vserver:list --no-format");
        assertTrue("list shows STOPPED:\n" + stoppedList, lineOf(stoppedList, "shown").contains("STOPPED"));

        executeCommand("vserver:start shown");
        String runningList = executeCommand("vserver:list --no-format");
        assertTrue("list shows RUNNING:\n" + runningList, lineOf(runningList, "shown").contains("RUNNING"));
        String status = executeCommand("vserver:status shown");
        assertTrue("status shows RUNNING:\n" + status, status.matches("(?s).*State:\\s+RUNNING.*"));
        int initPid = guests().status("shown").initPid();
        assertTrue("status shows the init pid:\n" + status, status.matches("(?s).*Init pid:\\s+" + initPid + "\\b.*"));

        executeCommand("vserver:stop shown");
        String stoppedStatus = executeCommand("vserver:status shown");
        assertTrue("status shows STOPPED:\n" + stoppedStatus, stoppedStatus.matches("(?s).*State:\\s+STOPPED.*"));
    }

    @Test
    public void stopKillsInitIgnoringTerm() throws Exception {
        Path root = busyboxRootfs(Files.createTempDirectory(Path.of(System.getProperty("karaf.data")), "stubborn"));
        Files.writeString(root.resolve("init.sh"), "trap '' TERM\nwhile :; do sleep 1; done\n",
                StandardCharsets.US_ASCII);
        createGuest("stubborn", "image=dir:" + root, "init=/bin/sh /init.sh");
        int init = startGuest("stubborn").initPid();

        long started = System.nanoTime();
        String output = executeCommand("vserver:stop --timeout 1 stubborn");
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertTrue("stop output:\n" + output, output.contains("Stopped guest stubborn"));
        assertTrue("stop with --timeout 1 took " + took.toMillis() + " ms", took.compareTo(Duration.ofSeconds(8)) < 0);
        assertTrue("stop waited for the timeout before killing: " + took.toMillis() + " ms",
                took.compareTo(Duration.ofMillis(900)) >= 0);
        GuestStatus status = guests().status("stubborn");
        assertEquals("state after a stop that killed init: " + status, GuestState.STOPPED, status.state());
        assertFalse("init " + init + " killed", KernelState.isAlive(init));
        assertEquals("processes left in the guest's cgroup", List.of(),
                KernelState.processesInCgroup(cgroupParent + "/stubborn"));
    }

    @Test
    public void killedInitMarksFailed() throws Exception {
        createCommandGuest("victim", "/bin/sleep infinity");
        int init = startGuest("victim").initPid();

        guests().kill("victim", "KILL");

        awaitState("victim", GuestState.FAILED);
        GuestStatus status = guests().status("victim");
        assertEquals("failure after init was killed: " + status, FailureReason.Code.INIT_FAILED,
                status.failure().code());
        assertEquals("init pid of a failed guest", 0, status.initPid());
        assertFalse("init " + init + " ended", KernelState.isAlive(init));
        await("processes of victim end", CLEANUP_TIMEOUT,
                () -> KernelState.processesInCgroup(cgroupParent + "/victim").isEmpty());

        GuestStatus restarted = startGuest("victim");
        assertEquals("failure after a new start", null, restarted.failure());
        assertEquals(GuestState.STOPPED, guests().stop("victim", null).state());
    }

    @Test
    public void stopRightAfterStart() throws Exception {
        createCommandGuest("racer", "/bin/sleep infinity");

        guests().start("racer");
        assertEquals(GuestState.STOPPED, guests().stop("racer", null).state());

        CompletableFuture<GuestStatus> start = CompletableFuture.supplyAsync(() -> {
            try {
                return guests().start("racer");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await("racer leaves STOPPED", GUEST_TIMEOUT, () -> state("racer") != GuestState.STOPPED);
        GuestStatus stopped = guests().stop("racer", null);
        start.get(GUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS);

        assertEquals("state after stop: " + stopped, GuestState.STOPPED, stopped.state());
        assertEquals(GuestState.STOPPED, guests().status("racer").state());
        assertEquals("processes left in the guest's cgroup", List.of(),
                KernelState.processesInCgroup(cgroupParent + "/racer"));
    }

    @Test
    public void reaperReapsOrphans() throws Exception {
        createCommandGuest("reaper", "/bin/sleep infinity");
        int init = startGuest("reaper").initPid();
        String guestCgroup = cgroupParent + "/reaper";

        // The sleeps must not keep the exec's stdout open, or reading the output waits for them.
        String background = "sleep 2.5 </dev/null >/dev/null 2>&1 & ";
        ExecResult result = exec("reaper", "sh", "-c", background + background + background + "exit 0");
        assertEquals(result.describe(), 0, result.exitCode());

        List<Integer> orphans = KernelState.processesInCgroup(guestCgroup).stream()
                .filter(pid -> KernelState.commandLine(pid).equals(List.of("sleep", "2.5"))).toList();
        assertEquals("orphaned sleeps in the guest", 3, orphans.size());
        for (int orphan : orphans) {
            int parent = KernelState.stat(orphan).map(stat -> stat.ppid()).orElse(0);
            assertTrue("parent " + parent + " of orphan " + orphan + " is in the guest, not the host",
                    parent == init || KernelState.processesInCgroup(guestCgroup).contains(parent));
        }

        await("the orphaned sleeps end", GUEST_TIMEOUT,
                () -> orphans.stream().noneMatch(KernelState::isAlive));
        await("the guest's reaper reaps the orphans " + orphans, Duration.ofSeconds(5),
                () -> orphans.stream().allMatch(pid -> KernelState.stat(pid).isEmpty()));
        await("no zombie left in the guest", Duration.ofSeconds(5), () -> KernelState.processesInCgroup(guestCgroup)
                .stream().noneMatch(pid -> KernelState.stat(pid).map(stat -> stat.isZombie()).orElse(false)));
        for (GuestProcess process : guests().processes("reaper")) {
            assertNotEquals("state of " + process, 'Z', process.state());
        }
        assertTrue("init " + init + " still runs", KernelState.isAlive(init));
    }

    private GuestState state(String name) {
        try {
            return guests().status(name).state();
        } catch (Exception e) {
            throw new AssertionError("status of " + name, e);
        }
    }

    private static String lineOf(String table, String name) {
        return table.lines().filter(line -> line.trim().split("\\s+")[0].equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + name + " in:\n" + table));
    }
}
