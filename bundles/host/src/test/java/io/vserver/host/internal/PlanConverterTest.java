package io.vserver.host.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.Test;

import io.vserver.api.GuestRecord;
import io.vserver.api.GuestSpec;
import io.vserver.api.LaunchPlan;
import io.vserver.kmod.vcontext.CreateRequest;
import io.vserver.kmod.vcontext.Seccomp;

public class PlanConverterTest {

    private static CreateRequest convert(LaunchPlan plan) {
        GuestSpec spec = new GuestSpec("web1", 42, List.of(), Map.of(), Map.of());
        GuestRecord record = new GuestRecord("web1", 42, Path.of("/nonexistent/data"),
                Path.of("/nonexistent/run"), "vserver/web1");
        return PlanConverter.toRequest(spec, record, plan.root(Path.of("/nonexistent/root")).init(List.of("/sbin/init")));
    }

    @Test
    public void seccompDefaultsToTheDefaultFilter() {
        CreateRequest request = convert(new LaunchPlan());

        assertEquals(Optional.of(Seccomp.DEFAULT), request.seccomp());
        List<String> arguments = request.toArguments(Path.of("vcontext"));
        assertEquals("default", arguments.get(arguments.indexOf("--seccomp") + 1));
    }

    @Test
    public void unconfinedSeccompReachesVcontext() {
        CreateRequest request = convert(new LaunchPlan().seccomp("unconfined"));

        List<String> arguments = request.toArguments(Path.of("vcontext"));
        assertEquals("unconfined", arguments.get(arguments.indexOf("--seccomp") + 1));
    }

    @Test
    public void unknownSeccompModeIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> convert(new LaunchPlan().seccomp("strict")));
    }

    @Test
    public void shmSizeReachesVcontext() {
        CreateRequest request = convert(new LaunchPlan().shmSize(16L << 20));

        assertEquals(16L << 20, request.shmSizeBytes());
        List<String> arguments = request.toArguments(Path.of("vcontext"));
        assertEquals(Long.toString(16L << 20), arguments.get(arguments.indexOf("--shm-size") + 1));
    }

    @Test
    public void defaultShmSizeLeavesOptionOut() {
        CreateRequest request = convert(new LaunchPlan());

        assertEquals(0, request.shmSizeBytes());
        assertFalse(request.toArguments(Path.of("vcontext")).contains("--shm-size"));
    }

    @Test
    public void sizedTmpfsReachesVcontext() {
        CreateRequest request = convert(new LaunchPlan().addTmpfs(new LaunchPlan.Tmpfs("/tmp", 8L << 20)));

        List<String> arguments = request.toArguments(Path.of("vcontext"));
        assertEquals("/tmp:" + (8L << 20), arguments.get(arguments.indexOf("--tmpfs") + 1));
    }

    @Test
    public void laterTmpfsReplacesSameTarget() {
        LaunchPlan plan = new LaunchPlan().addTmpfs(new LaunchPlan.Tmpfs("/tmp", 0))
                .addTmpfs(new LaunchPlan.Tmpfs("/run", 0))
                .addTmpfs(new LaunchPlan.Tmpfs("/tmp", 8L << 20));

        assertEquals(List.of(new LaunchPlan.Tmpfs("/tmp", 8L << 20), new LaunchPlan.Tmpfs("/run", 0)),
                plan.tmpfsMounts());
    }
}
