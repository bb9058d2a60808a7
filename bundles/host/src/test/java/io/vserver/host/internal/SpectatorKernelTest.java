package io.vserver.host.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import io.vserver.api.GuestProcess;
import io.vserver.api.GuestSpec;
import io.vserver.api.GuestStatus;
import io.vserver.kmod.vcontext.VContextBinary;

/**
 * Runs the spectator through the guest service while a real busybox guest runs. Needs root and
 * Landlock ABI 6 (Linux 6.12); creates its cgroups under {@code vserver-test-spectator-PID} and
 * removes them.
 */
public class SpectatorKernelTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

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
    private final String cgroupParent = "vserver-test-spectator-" + ProcessHandle.current().pid();
    private GuestService service;

    @Before
    public void setUp() throws Exception {
        KernelGuests.requireRoot("SpectatorKernelTest");
        Path root = folder.getRoot().toPath();
        Path rootfs = KernelGuests.buildBusyboxRootfs(root.resolve("rootfs"), List.of("sleep"));
        Path program = VContextBinary.install(Files.createDirectories(root.resolve("bin")));
        HostSettings settings = new HostSettings(root.resolve("data"), root.resolve("run"), program,
                Duration.ofSeconds(5), cgroupParent);
        fs.preparation = (spec, record, plan) -> plan.root(rootfs);
        context.preparation = (spec, record, plan) -> plan.hostname(spec.name())
                .init(List.of("/bin/sleep", "1000")).haltSignal("SIGTERM");
        elements.add(fs);
        elements.add(context);
        elements.add(new FakeElement("capabilities", "capabilities.", "security."));
        service = new GuestService(settings, store, elements);
        service.open();
    }



    @After
    public void tearDown() throws Exception {
        KernelGuests.stopAll(service, cgroupParent);
    }

    @Test
    public void spectatorListsGuestAndIsContextOne() throws Exception {
        service.create("web1", Map.of(), List.of());
        GuestStatus guest = service.start("web1");
        Process spectator = service.spectate(List.of("/bin/busybox", "sh", "-c",
                "/bin/busybox ps; echo ready; read line; exit 0"));
        try {
            List<String> ps = readUntilReady(spectator);
            assertTrue("the spectator's ps lists the guest init " + guest.initPid() + ":\n" + ps,
                    ps.stream().anyMatch(line -> line.trim().startsWith(guest.initPid() + " ")));

            GuestProcess listed = service.allProcesses().stream().filter(p -> p.pid() == spectator.pid())
                    .findFirst().orElseThrow(() -> new AssertionError("spectator " + spectator.pid() + " not listed"));
            assertEquals(1, listed.xid());
            assertEquals("spectator", listed.guest());
            assertEquals(0, listed.guestPid());
            GuestProcess init = service.allProcesses().stream().filter(p -> p.pid() == guest.initPid())
                    .findFirst().orElseThrow();
            assertEquals("web1", init.guest());
        } finally {
            spectator.getOutputStream().close();
        }
        assertTrue("the spectator did not end", spectator.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertEquals(0, spectator.exitValue());
    }

    /**
     * Returns the lines the spectator prints before "ready". Skips the test when vcontext
     * reports that the kernel lacks Landlock ABI 6, but fails it when CI is set.
     */
    private static List<String> readUntilReady(Process spectator) throws Exception {
        BufferedReader stdout = new BufferedReader(new InputStreamReader(spectator.getInputStream(),
                StandardCharsets.UTF_8));
        List<String> lines = new ArrayList<>();
        for (String line = stdout.readLine(); line != null; line = stdout.readLine()) {
            if (line.equals("ready")) {
                return lines;
            }
            lines.add(line);
        }
        String stderr = new String(spectator.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (stderr.contains("vcontext: landlock") && System.getenv("CI") == null) {
            Assume.assumeTrue("Skipped: the spectator needs Landlock ABI 6 (Linux 6.12): " + stderr.trim(), false);
        }
        fail("The spectator ended before printing ready; output " + lines + ", stderr: " + stderr);
        return lines;
    }
}
