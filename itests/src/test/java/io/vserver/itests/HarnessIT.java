package io.vserver.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.apache.karaf.features.FeaturesService;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

import io.vserver.api.VServerHost;
import io.vserver.kmod.libc.Syscalls;

/**
 * Proves the test harness: the appliance boots with every vserver feature, its host VM
 * installs the vcontext program, and shell commands run and return their output.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class HarnessIT extends VServerTestSupport {

    @Test
    public void bootsEveryVServerFeature() throws Exception {
        FeaturesService features = awaitService(FeaturesService.class);
        for (String feature : new String[] {"vserver", "vserver-kmod", "vserver-host", "vserver-fs",
                "vserver-context", "vserver-network", "vserver-capabilities", "vserver-limits",
                "vserver-shell", "vserver-policies-standard"}) {
            assertTrue("feature " + feature + " installed", features.isInstalled(features.getFeature(feature)));
        }
    }

    @Test
    public void hostInstallsVContextProgram() throws Exception {
        VServerHost host = awaitService(VServerHost.class);
        Path program = host.vcontextProgram();

        assertTrue(program + " is a regular file", Files.isRegularFile(program));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(program)));
        assertTrue(program + " is inside the configured data directory", program.startsWith(host.dataDirectory()));
    }

    @Test
    public void kmodCallsLibcInContainer() throws Exception {
        awaitService(VServerHost.class);

        assertEquals("getpid through JNA in the container", ProcessHandle.current().pid(), Syscalls.getpid());
    }

    @Test
    public void hostCommandListsEveryElement() {
        awaitCommand("vserver", "host");

        String output = executeCommand("vserver:host --no-format");

        for (String element : new String[] {"fs", "context", "network", "capabilities", "limits"}) {
            assertTrue("element " + element + " listed in:\n" + output, output.contains("vserver-" + element));
        }
        assertTrue("vcontext path shown in:\n" + output, output.contains("vcontext program:"));
    }
}
