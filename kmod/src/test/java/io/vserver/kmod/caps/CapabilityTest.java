package io.vserver.kmod.caps;

import org.junit.Rule;
import org.junit.Test;
import org.junit.rules.TemporaryFolder;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class CapabilityTest {

    @Rule
    public TemporaryFolder temporary = new TemporaryFolder();

    @Test
    public void parseAcceptsEveryCaseAndPrefix() {
        assertEquals(Capability.CAP_SYS_ADMIN, Capability.parse("CAP_SYS_ADMIN"));
        assertEquals(Capability.CAP_SYS_ADMIN, Capability.parse("sys_admin"));
        assertEquals(Capability.CAP_SYS_ADMIN, Capability.parse("Sys_Admin"));
        assertEquals(Capability.CAP_SYS_ADMIN, Capability.parse("cap_sys_admin"));
        assertEquals(Capability.CAP_CHOWN, Capability.parse(" chown "));
    }

    @Test
    public void numbersFollowLinuxHeader() {
        assertEquals(0, Capability.CAP_CHOWN.number());
        assertEquals(12, Capability.CAP_NET_ADMIN.number());
        assertEquals(21, Capability.CAP_SYS_ADMIN.number());
        assertEquals(38, Capability.CAP_PERFMON.number());
        assertEquals(39, Capability.CAP_BPF.number());
        assertEquals(40, Capability.CAP_CHECKPOINT_RESTORE.number());
        for (Capability capability : Capability.values()) {
            assertEquals(capability, Capability.of(capability.number()));
        }
    }

    @Test
    public void shortNameIsLowerCaseWithoutPrefix() {
        assertEquals("dac_override", Capability.CAP_DAC_OVERRIDE.shortName());
        assertEquals(1L << 21, Capability.CAP_SYS_ADMIN.bit());
    }

    @Test
    public void parseRejectsUnknownName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Capability.parse("sys_admn"));
        assertEquals("Unknown capability \"sys_admn\": expected a Linux capability name such "
                + "as CAP_SYS_ADMIN or sys_admin; see capabilities(7) for the list",
                e.getMessage());
    }

    @Test
    public void ofRejectsUnknownNumber() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Capability.of(41));
        assertTrue(e.getMessage(), e.getMessage().contains("capabilities(7)"));
    }

    @Test
    public void kernelLastCapIsReadFromProcRoot() throws Exception {
        Path proc = temporary.getRoot().toPath();
        Files.createDirectories(proc.resolve("sys/kernel"));
        Files.writeString(proc.resolve("sys/kernel/cap_last_cap"), "40\n");

        assertEquals(40, Capability.kernelLastCap(proc));
    }

    @Test
    public void runningKernelKnowsAtLeastAuditRead() throws Exception {
        assertTrue(Capability.kernelLastCap() >= Capability.CAP_AUDIT_READ.number());
    }
}
