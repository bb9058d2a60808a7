package io.vserver.kmod.vcontext;

import io.vserver.kmod.caps.Capability;
import io.vserver.kmod.caps.CapabilitySet;
import org.junit.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class CreateRequestTest {

    private static final Path PROGRAM = Path.of("/opt/vserver/vcontext");

    @Test
    public void minimalRequest() {
        CreateRequest request = CreateRequest.builder(Path.of("/srv/web1")).init("/sbin/init").build();

        assertEquals(List.of("/opt/vserver/vcontext", "create", "--root", "/srv/web1", "--", "/sbin/init"),
                request.toArguments(PROGRAM));
    }

    @Test
    public void everyOption() {
        CreateRequest request = CreateRequest.builder(Path.of("/var/lib/vserver/web1/root"))
                .name("web1")
                .lower(Path.of("/var/lib/vserver/images/top"), Path.of("/var/lib/vserver/images/base"))
                .upper(Path.of("/var/lib/vserver/web1/upper"), Path.of("/var/lib/vserver/web1/work"))
                .bind(Path.of("/srv/data"), "/data", true)
                .bind(Path.of("/srv/logs"), "/var/log", false)
                .tmpfs(new TmpfsMount("/tmp", 64L * 1024 * 1024))
                .tmpfs("/run")
                .hostname("web1.example")
                .network(Network.join(Path.of("/run/netns/web1")))
                .cgroup(Path.of("/sys/fs/cgroup/memory/vserver/web1"))
                .bounding(CapabilitySet.of(Capability.CAP_CHOWN, Capability.CAP_NET_BIND_SERVICE))
                .inheritable(CapabilitySet.empty())
                .noNewPrivileges(true)
                .seccomp(Seccomp.UNCONFINED)
                .rlimit(new ResourceLimit(RlimitResource.NOFILE, 1024, 4096))
                .rlimit(ResourceLimit.of(RlimitResource.CORE, ResourceLimit.UNLIMITED))
                .chdir("/root")
                .env("LANG", "C.UTF-8")
                .env("TERM", "dumb")
                .runDirectory(Path.of("/run/vserver/web1"))
                .consoleFile(Path.of("/var/log/vserver/web1.log"))
                .reaper(true)
                .extraOptions("--future-option", "value")
                .init("/sbin/init", "--log-level", "info")
                .build();

        assertEquals(List.of("/opt/vserver/vcontext", "create",
                "--name", "web1",
                "--root", "/var/lib/vserver/web1/root",
                "--lower", "/var/lib/vserver/images/top",
                "--lower", "/var/lib/vserver/images/base",
                "--upper", "/var/lib/vserver/web1/upper",
                "--work", "/var/lib/vserver/web1/work",
                "--bind", "/srv/data:/data:ro",
                "--bind", "/srv/logs:/var/log",
                "--tmpfs", "/tmp:67108864",
                "--tmpfs", "/run",
                "--hostname", "web1.example",
                "--net", "/run/netns/web1",
                "--cgroup", "/sys/fs/cgroup/memory/vserver/web1",
                "--run-dir", "/run/vserver/web1",
                "--console", "/var/log/vserver/web1.log",
                "--reaper",
                "--cap-bounding", "chown,net_bind_service",
                "--cap-inheritable", "none",
                "--no-new-privs",
                "--seccomp", "unconfined",
                "--rlimit", "core=unlimited:unlimited",
                "--rlimit", "nofile=1024:4096",
                "--chdir", "/root",
                "--env", "LANG=C.UTF-8",
                "--env", "TERM=dumb",
                "--future-option", "value",
                "--", "/sbin/init", "--log-level", "info"), request.toArguments(PROGRAM));
    }

    @Test
    public void gettersReturnRequest() {
        CapabilitySet bounding = CapabilitySet.of(Capability.CAP_KILL);
        CreateRequest request = CreateRequest.builder(Path.of("/srv/web1"))
                .bounding(bounding)
                .network(Network.host())
                .env("A", "1")
                .init("/bin/sh")
                .build();

        assertEquals(bounding, request.capabilities(CapabilitySetType.BOUNDING).orElseThrow());
        assertTrue(request.capabilities(CapabilitySetType.AMBIENT).isEmpty());
        assertEquals(Network.host(), request.network().orElseThrow());
        assertEquals("1", request.env().get("A"));
        assertEquals(List.of("/bin/sh"), request.init());
        assertTrue(request.name().isEmpty());
    }

    @Test
    public void laterRlimitReplacesEarlier() {
        CreateRequest request = CreateRequest.builder(Path.of("/srv/web1"))
                .rlimit(ResourceLimit.of(RlimitResource.NOFILE, 10))
                .rlimit(ResourceLimit.of(RlimitResource.NOFILE, 20))
                .init("/bin/sh")
                .build();

        assertEquals(ResourceLimit.of(RlimitResource.NOFILE, 20), request.rlimits().get(RlimitResource.NOFILE));
        assertEquals(1, request.rlimits().size());
    }

    @Test
    public void relativeRootIsMadeAbsolute() {
        CreateRequest request = CreateRequest.builder(Path.of("guests/web1")).init("/bin/sh").build();

        assertTrue(request.root().isAbsolute());
        assertTrue(request.root().endsWith("guests/web1"));
    }

    @Test
    public void builderChangesDoNotReachBuiltRequest() {
        CreateRequest.Builder builder = CreateRequest.builder(Path.of("/srv/web1")).init("/bin/sh");
        CreateRequest first = builder.build();

        builder.env("LATE", "1").tmpfs("/tmp");

        assertTrue(first.env().isEmpty());
        assertTrue(first.tmpfsMounts().isEmpty());
    }

    @Test
    public void missingInitIsRejected() {
        CreateRequest.Builder builder = CreateRequest.builder(Path.of("/srv/web1"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, builder::build);
        assertTrue(e.getMessage(), e.getMessage().contains("init command"));
    }

    @Test
    public void upperWithoutLowerIsRejected() {
        CreateRequest.Builder builder = CreateRequest.builder(Path.of("/srv/web1"))
                .upper(Path.of("/srv/upper"), Path.of("/srv/work"))
                .init("/bin/sh");

        assertThrows(IllegalArgumentException.class, builder::build);
    }

    @Test
    public void colonInBindPathIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> new BindMount(Path.of("/srv/a:b"), "/data", false));
        assertThrows(IllegalArgumentException.class, () -> new BindMount(Path.of("/srv/a"), "/da:ta", false));
    }

    @Test
    public void relativeGuestPathsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new BindMount(Path.of("/srv/a"), "data", false));
        assertThrows(IllegalArgumentException.class, () -> new TmpfsMount("tmp", 0));
        assertThrows(IllegalArgumentException.class,
                () -> CreateRequest.builder(Path.of("/srv/web1")).chdir("root"));
    }

    @Test
    public void unnamedCapabilityIsRejected() {
        CreateRequest.Builder builder = CreateRequest.builder(Path.of("/srv/web1"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder.bounding(CapabilitySet.ofMask(1L << 50)));
        assertTrue(e.getMessage(), e.getMessage().contains("{50}"));
    }

    @Test
    public void invalidEnvironmentNameIsRejected() {
        CreateRequest.Builder builder = CreateRequest.builder(Path.of("/srv/web1"));

        assertThrows(IllegalArgumentException.class, () -> builder.env("A=B", "1"));
        assertThrows(IllegalArgumentException.class, () -> builder.env("", "1"));
    }

    @Test
    public void doubleDashExtraOptionIsRejected() {
        CreateRequest.Builder builder = CreateRequest.builder(Path.of("/srv/web1"));

        assertThrows(IllegalArgumentException.class, () -> builder.extraOptions("--", "/bin/evil"));
    }

    @Test
    public void networkArguments() {
        assertEquals("new", Network.newNamespace().toArgument());
        assertEquals("host", Network.host().toArgument());
        assertEquals("/proc/42/ns/net", Network.join(Path.of("/proc/42/ns/net")).toArgument());
    }
}
