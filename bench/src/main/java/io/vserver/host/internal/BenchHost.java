package io.vserver.host.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.api.GuestStatus;
import io.vserver.api.IsolationElement;
import io.vserver.api.VServerHost;
import io.vserver.kmod.cgroup.Cgroup;
import io.vserver.kmod.cgroup.CgroupHierarchies;

/**
 * A host VM without OSGi for the benchmarks: the guest service with the real isolation
 * elements, guest definitions in memory, and its data, run and image directories under one
 * work directory. Closing it kills every guest it started and removes its cgroup parent.
 */
final class BenchHost implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BenchHost.class);

    /** The busybox applets the benchmark guests run. */
    private static final List<String> APPLETS = List.of("sh", "sleep", "true", "cat");

    /** How long the closing kill waits for the processes of the cgroup parent to end. */
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(30);

    private final Path work;
    private final HostSettings settings;
    private final GuestService service;
    private final PolicyRegistry policies;
    private final AtomicBoolean closed = new AtomicBoolean();

    private BenchHost(Path work, HostSettings settings, GuestService service, PolicyRegistry policies) {
        this.work = work;
        this.settings = settings;
        this.service = service;
        this.policies = policies;
    }

    /**
     * Opens a host whose directories are under {@code work} and whose guests' cgroups are
     * under {@code cgroupParent} in every hierarchy.
     *
     * @param cgroupParent a parent named {@code vserver-bench-*}, so that nothing else is touched
     */
    static BenchHost open(Path work, Path vcontext, String cgroupParent, Duration stopTimeout) throws Exception {
        if (!cgroupParent.startsWith("vserver-bench-")) {
            throw new IllegalArgumentException("invalid cgroup parent '" + cgroupParent
                    + "': expected a name that starts with vserver-bench-");
        }
        HostSettings settings = new HostSettings(work.resolve("data"), work.resolve("run"), vcontext, stopTimeout,
                cgroupParent);
        Files.createDirectories(settings.dataDirectory());
        Files.createDirectories(settings.runDirectory());
        ElementRegistry registry = new ElementRegistry();
        for (IsolationElement element : ElementActivation.activateAll(new HostView(settings))) {
            registry.add(element);
        }
        PolicyRegistry policies = new PolicyRegistry(registry);
        GuestService service = new GuestService(settings, new MemoryDefinitions(), registry, policies);
        policies.addListener(service::policiesChanged);
        BenchHost host = new BenchHost(work, settings, service, policies);
        // SIGTERM or SIGINT from bench/run-all.sh's clean-up still stops the guests.
        Runtime.getRuntime().addShutdownHook(new Thread(host::close, "vserver-bench-close"));
        try {
            host.service.open();
        } catch (Exception e) {
            host.close();
            throw e;
        }
        return host;
    }

    /** The {@link VServerHost} the elements see: the settings' directories and program. */
    private record HostView(HostSettings settings) implements VServerHost {

        @Override
        public Path dataDirectory() {
            return settings.dataDirectory();
        }

        @Override
        public Path runDirectory() {
            return settings.runDirectory();
        }

        @Override
        public Path vcontextProgram() {
            return settings.vcontextProgram();
        }

        @Override
        public Duration stopTimeout() {
            return settings.stopTimeout();
        }
    }

    GuestService service() {
        return service;
    }

    /** Returns the policies the guest service resolves guests with, as the policy sources fill them. */
    PolicyRegistry policies() {
        return policies;
    }

    String cgroupParent() {
        return settings.cgroupParent();
    }

    /**
     * Builds a root file system of Debian's static busybox at {@code WORK/rootfs}, with a link
     * for each applet the benchmark runs and the directories vcontext mounts on, and returns it.
     */
    Path buildBusyboxRootfs() throws IOException {
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isExecutable(busybox)) {
            throw new IOException(busybox + " not found: install the Debian package busybox-static");
        }
        Path rootfs = work.resolve("rootfs");
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(busybox, bin.resolve("busybox"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : APPLETS) {
            Files.deleteIfExists(bin.resolve(applet));
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        for (String directory : List.of("proc", "sys", "dev", "tmp", "etc")) {
            Files.createDirectories(rootfs.resolve(directory));
        }
        return rootfs;
    }

    /**
     * Kills every running guest, closes the service and removes the cgroup parent with
     * whatever is left in it. Failures are logged, so that every step runs. Only the first
     * call does anything.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (GuestStatus status : service.list()) {
            if (status.initPid() == 0) {
                continue;
            }
            try {
                service.stop(status.name(), Duration.ZERO);
            } catch (Exception e) {
                LOG.warn("guest {}: stop at close failed: {}", status.name(), e.getMessage());
            }
        }
        service.close();
        try {
            Cgroup parent = CgroupHierarchies.discover().group(settings.cgroupParent());
            if (parent.exists()) {
                parent.killAll(KILL_TIMEOUT);
                parent.remove();
            }
        } catch (IOException e) {
            LOG.error("cannot remove the benchmark's cgroup parent {}: {}", settings.cgroupParent(), e.getMessage());
        }
    }
}
