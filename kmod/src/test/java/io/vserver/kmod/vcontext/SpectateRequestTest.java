package io.vserver.kmod.vcontext;

import org.junit.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

public class SpectateRequestTest {

    private static final Path PROGRAM = Path.of("/opt/vserver/vcontext");

    @Test
    public void minimalRequest() {
        SpectateRequest request = SpectateRequest.builder().argv("ps", "-ef").build();

        assertEquals(List.of("/opt/vserver/vcontext", "spectate", "--", "ps", "-ef"), request.toArguments(PROGRAM));
    }

    @Test
    public void everyOption() {
        SpectateRequest request = SpectateRequest.builder()
                .cgroup(Path.of("/sys/fs/cgroup/memory/vserver/_spectator"))
                .cgroups(List.of(Path.of("/sys/fs/cgroup/unified/vserver/_spectator")))
                .chdir("/var/log")
                .env("TERM", "dumb")
                .argv(List.of("top", "-b"))
                .build();

        assertEquals(List.of("/opt/vserver/vcontext", "spectate",
                "--cgroup", "/sys/fs/cgroup/memory/vserver/_spectator",
                "--cgroup", "/sys/fs/cgroup/unified/vserver/_spectator",
                "--chdir", "/var/log",
                "--env", "TERM=dumb",
                "--", "top", "-b"), request.toArguments(PROGRAM));
    }

    @Test
    public void missingCommandIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> SpectateRequest.builder().build());
        assertThrows(IllegalArgumentException.class, () -> SpectateRequest.builder().argv("").build());
    }

    @Test
    public void relativeWorkingDirectoryIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> SpectateRequest.builder().chdir("var/log"));
    }

    @Test
    public void invalidEnvironmentNameIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> SpectateRequest.builder().env("A=B", "c"));
    }
}
