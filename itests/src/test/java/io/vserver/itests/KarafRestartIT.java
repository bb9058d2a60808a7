package io.vserver.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import io.vserver.kmod.bpf.ChbindMap;
import io.vserver.kmod.cgroup.CgroupHierarchies;

/**
 * Stops and starts a whole appliance under a running guest. Pax Exam cannot restart its own
 * container, so this test unpacks the built distribution under target/, runs it with bin/start
 * and bin/stop and drives it with bin/client as the operator user.
 */
public class KarafRestartIT {

    /** The bind-mode guest's address before and after a live change. */
    private static final String FIRST_ADDRESS = "127.0.1.31";
    private static final String SECOND_ADDRESS = "127.0.1.32";

    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(60);
    private static final String GUEST = "restarted";

    private final String cgroupParent = "vserver-test-" + Long.toHexString(new SecureRandom().nextLong() & 0xffffffffL);
    private Path work;
    private Path home;
    private int sshPort;

    @Before
    public void unpackAppliance() throws Exception {
        VServerTestSupport.assumeRoot();
        Path target = Path.of(System.getProperty("project.build.directory", "target")).toAbsolutePath();
        work = Files.createTempDirectory(target, "karaf-restart-");
        run(work, Duration.ofSeconds(60), "tar", "-xzf", distribution().toString(), "-C", work.toString());
        try (Stream<Path> entries = Files.list(work)) {
            home = entries.filter(Files::isDirectory).findFirst()
                    .orElseThrow(() -> new AssertionError("the distribution archive has no top directory"));
        }
        sshPort = freePort();
        setProperties("etc/io.vserver.host.cfg", Map.of("dataDirectory", work.resolve("vserver-data").toString(),
                "runDirectory", work.resolve("vserver-run").toString(), "cgroupParent", cgroupParent));
        setProperties("etc/org.apache.karaf.shell.cfg", Map.of("sshPort", Integer.toString(sshPort)));
        setProperties("etc/org.apache.karaf.management.cfg", Map.of("rmiRegistryPort", Integer.toString(freePort()),
                "rmiServerPort", Integer.toString(freePort())));
        run(home, Duration.ofSeconds(60), "bin/vserver-credentials");
    }

    @Test
    public void guestSurvivesKarafRestart() throws Exception {
        int init = startGuestInNewAppliance();

        stopKaraf();
        assertTrue("init " + init + " alive with Karaf stopped", KernelState.isAlive(init));

        checkReadopted(init);
    }

    @Test
    public void guestSurvivesKarafCrash() throws Exception {
        int init = startGuestInNewAppliance();
        ProcessHandle karaf = karafPid().flatMap(ProcessHandle::of)
                .orElseThrow(() -> new AssertionError("no live pid in " + home.resolve("karaf.pid")));

        karaf.destroyForcibly();
        VServerTestSupport.await("Karaf process " + karaf.pid() + " killed", BOOT_TIMEOUT, () -> !karaf.isAlive());
        assertTrue("init " + init + " alive after Karaf was killed", KernelState.isAlive(init));

        checkReadopted(init);
    }

    /** Starts the appliance, creates and starts the guest, and returns its init pid. */
    private int startGuestInNewAppliance() throws Exception {
        startKaraf();
        client("vserver:create --image host --set init.style=command --set \"init=/bin/sleep infinity\" "
                + "--set network.address=" + FIRST_ADDRESS + " " + GUEST);
        client("vserver:start " + GUEST);
        int init = initPid(client("vserver:status " + GUEST));
        assertTrue("init " + init + " alive", KernelState.isAlive(init));
        return init;
    }

    /** Starts the appliance again and checks that it re-adopts the running guest, which exec and stop then reach. */
    private void checkReadopted(int init) throws Exception {
        startKaraf();
        String status = awaitStatus("RUNNING");
        assertEquals("init pid after the restart:\n" + status, init, initPid(status));
        String hostname = client("vserver:exec " + GUEST + " -- hostname");
        assertTrue("exec after the restart printed:\n" + hostname, hostname.lines().anyMatch(GUEST::equals));
        assertEquals("source of the guest's connection after the restart", FIRST_ADDRESS, connectionSource());
        String changed = client("vserver:net " + GUEST + " address=" + SECOND_ADDRESS);
        assertTrue("vserver:net after the restart printed:\n" + changed,
                changed.contains("network.address: applied"));
        assertEquals("source of the guest's connection after the change", SECOND_ADDRESS, connectionSource());
        long cgroupId = CgroupHierarchies.discover().group(cgroupParent + "/" + GUEST).cgroupId();

        client("vserver:stop " + GUEST);
        assertTrue("status after stop", awaitStatus("STOPPED").contains("STOPPED"));
        assertFalse("init " + init + " ended", KernelState.isAlive(init));
        try (ChbindMap map = ChbindMap.open(Path.of("/sys/fs/bpf", cgroupParent))) {
            assertEquals("chbind entry after stop", Optional.empty(), map.get(cgroupId));
        }
        client("vserver:destroy " + GUEST);
    }

    /**
     * Makes the guest connect to a listener of the test on 127.0.2.51 and returns the source
     * address of the accepted connection.
     */
    private String connectionSource() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 5, InetAddress.getByName("127.0.2.51"))) {
            listener.setSoTimeout(30_000);
            client("vserver:exec " + GUEST + " -- /usr/bin/socat -u OPEN:/dev/null TCP:127.0.2.51:"
                    + listener.getLocalPort());
            try (Socket accepted = listener.accept()) {
                return accepted.getInetAddress().getHostAddress();
            }
        }
    }

    /** Stops the appliance, then ends and removes whatever the test's guest left behind. */
    @After
    public void removeAppliance() throws Exception {
        if (home == null) {
            return;
        }
        List<String> leftovers = new ArrayList<>();
        if (karafPid().isPresent()) {
            try {
                client("vserver:destroy --force " + GUEST);
            } catch (AssertionError e) {
                // The guest was destroyed already, or never created.
            }
            stopKaraf();
        }
        for (int pid : KernelState.processesInCgroup(cgroupParent)) {
            leftovers.add("process " + pid);
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        for (String mount : KernelState.mountsUnder(work)) {
            leftovers.add("mount " + mount);
            run(work, Duration.ofSeconds(30), "umount", "-l", mount);
        }
        VServerTestSupport.await("processes of " + cgroupParent + " ended", Duration.ofSeconds(10),
                () -> KernelState.processesInCgroup(cgroupParent).isEmpty());
        for (Path cgroup : KernelState.cgroupChildren(cgroupParent)) {
            leftovers.add("cgroup " + cgroup);
            Files.delete(cgroup);
        }
        KernelState.removeEmptyCgroups(cgroupParent);
        KernelState.removeChbindPins(cgroupParent);
        run(work.getParent(), Duration.ofSeconds(60), "rm", "-rf", "--one-file-system", work.toString());
        assertEquals("left behind by the guest after destroy", List.of(), leftovers);
    }

    private void startKaraf() throws Exception {
        run(home, Duration.ofSeconds(30), "bin/start");
        VServerTestSupport.await("Karaf answering on SSH port " + sshPort, BOOT_TIMEOUT,
                () -> tryClient("vserver:list").isPresent());
    }

    private void stopKaraf() throws Exception {
        Optional<ProcessHandle> karaf = karafPid().flatMap(ProcessHandle::of);
        run(home, Duration.ofSeconds(30), "bin/stop");
        karaf.ifPresent(process -> VServerTestSupport.await("Karaf process " + process.pid() + " ended", BOOT_TIMEOUT,
                () -> !process.isAlive()));
    }

    private Optional<Long> karafPid() throws IOException {
        Path pidFile = home.resolve("karaf.pid");
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(ProcessHandle::pid);
    }

    /** Waits until vserver:status shows {@code state} and returns its output. */
    private String awaitStatus(String state) {
        String[] last = {""};
        VServerTestSupport.await("guest " + GUEST + " in state " + state, CLIENT_TIMEOUT, () -> {
            last[0] = tryClient("vserver:status " + GUEST).orElse("");
            return last[0].matches("(?s).*State:\\s+" + state + "\\b.*");
        });
        return last[0];
    }

    private static int initPid(String status) {
        Matcher matcher = Pattern.compile("Init pid:\\s+(\\d+)").matcher(status);
        assertTrue("init pid in:\n" + status, matcher.find());
        return Integer.parseInt(matcher.group(1));
    }

    /** Runs one console command through bin/client and returns its output. Fails the test when the command fails. */
    private String client(String command) throws Exception {
        ProcessResult result = runClient(command);
        assertEquals("bin/client '" + command + "':\n" + result.output(), 0, result.exitCode());
        return result.output();
    }

    private Optional<String> tryClient(String command) {
        try {
            ProcessResult result = runClient(command);
            return result.exitCode() == 0 ? Optional.of(result.output()) : Optional.empty();
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private ProcessResult runClient(String command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder("timeout", Long.toString(CLIENT_TIMEOUT.toSeconds()),
                "bin/client", "-a", Integer.toString(sshPort), "-u", "operator", "-k", "etc/operator.key", "-b")
                .directory(home.toFile()).redirectErrorStream(true);
        Process process = builder.start();
        process.getOutputStream().write((command + "\n").getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new ProcessResult(process.waitFor(), output);
    }

    private static void run(Path directory, Duration timeout, String... command) throws Exception {
        List<String> argv = new ArrayList<>(List.of("timeout", Long.toString(timeout.toSeconds())));
        argv.addAll(List.of(command));
        Process process = new ProcessBuilder(argv).directory(directory.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exitCode = process.waitFor();
        assertEquals(String.join(" ", command) + " in " + directory + ":\n" + output, 0, exitCode);
    }

    /** Replaces or appends {@code KEY = VALUE} lines in a configuration file of the appliance. */
    private void setProperties(String file, Map<String, String> properties) throws IOException {
        Path path = home.resolve(file);
        List<String> lines = new ArrayList<>(Files.readAllLines(path));
        lines.removeIf(line -> properties.keySet().stream().anyMatch(key -> line.matches("\\s*" + Pattern.quote(key)
                + "\\s*[=:].*")));
        properties.forEach((key, value) -> lines.add(key + " = " + value));
        Files.write(path, lines);
    }

    private static Path distribution() throws IOException {
        String version;
        try (InputStream stream = KarafRestartIT.class.getResourceAsStream("/META-INF/maven/dependencies.properties")) {
            Properties dependencies = new Properties();
            dependencies.load(stream);
            version = dependencies.getProperty("io.vserver/vserver-distribution/version");
        }
        Path repository = Path.of(System.getProperty("maven.repo.local",
                System.getProperty("user.home") + "/.m2/repository"));
        Path archive = repository.resolve("io/vserver/vserver-distribution/" + version
                + "/vserver-distribution-" + version + ".tar.gz");
        assertTrue("built distribution " + archive + " exists: run mvn install first", Files.isRegularFile(archive));
        return archive;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private record ProcessResult(int exitCode, String output) {
    }
}
