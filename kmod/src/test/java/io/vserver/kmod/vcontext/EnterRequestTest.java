package io.vserver.kmod.vcontext;

import io.vserver.kmod.caps.Capability;
import io.vserver.kmod.caps.CapabilitySet;
import org.junit.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

public class EnterRequestTest {

    private static final Path PROGRAM = Path.of("/opt/vserver/vcontext");

    @Test
    public void minimalRequest() {
        EnterRequest request = EnterRequest.builder(4242).command("/bin/sh", "-l").build();

        assertEquals(List.of("/opt/vserver/vcontext", "enter", "--pid", "4242", "--", "/bin/sh", "-l"),
                request.toArguments(PROGRAM));
    }

    @Test
    public void overrides() {
        EnterRequest request = EnterRequest.builder(4242)
                .bounding(CapabilitySet.of(Capability.CAP_KILL))
                .ambient(CapabilitySet.empty())
                .noNewPrivileges(true)
                .seccomp(Seccomp.DEFAULT)
                .rlimit(new ResourceLimit(RlimitResource.NPROC, 100, 200))
                .chdir("/srv")
                .env("HOME", "/root")
                .command("id")
                .build();

        assertEquals(List.of("/opt/vserver/vcontext", "enter", "--pid", "4242",
                "--cap-bounding", "kill",
                "--cap-ambient", "none",
                "--no-new-privs",
                "--seccomp", "default",
                "--rlimit", "nproc=100:200",
                "--chdir", "/srv",
                "--env", "HOME=/root",
                "--", "id"), request.toArguments(PROGRAM));
    }

    @Test
    public void seccompIsCopiedUnlessSet() {
        EnterRequest request = EnterRequest.builder(4242).command("id").build();

        assertEquals(Optional.empty(), request.seccomp());
        assertEquals(Optional.of(Seccomp.UNCONFINED),
                EnterRequest.builder(4242).seccomp(Seccomp.UNCONFINED).command("id").build().seccomp());
    }

    @Test
    public void seccompModesParseInAnyCase() {
        assertEquals(Seccomp.UNCONFINED, Seccomp.parse(" Unconfined "));
        assertEquals(Seccomp.DEFAULT, Seccomp.parse("default"));
        assertThrows(IllegalArgumentException.class, () -> Seccomp.parse("strict"));
    }

    @Test
    public void invalidPidIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> EnterRequest.builder(0));
    }

    @Test
    public void missingCommandIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> EnterRequest.builder(1234).build());
        assertThrows(IllegalArgumentException.class, () -> EnterRequest.builder(1234).command("").build());
    }
}
