package io.vserver.host.internal;

import static org.junit.Assert.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;

import org.junit.Assume;

import io.vserver.api.GuestStatus;
import io.vserver.kmod.cgroup.Cgroup;
import io.vserver.kmod.cgroup.CgroupHierarchies;

/**
 * Set-up and clean-up shared by the host tests that boot real busybox guests.
 */
final class KernelGuests {

    private KernelGuests() {
    }

    /**
     * Skips the calling test when it does not run as root, and fails it instead when the
     * environment variable CI is set, since CI must run every test.
     */
    static void requireRoot(String testName) {
        boolean root = "root".equals(System.getProperty("user.name"));
        if (!root && System.getenv("CI") != null) {
            fail(testName + " needs root, and CI is set, so it must not be skipped");
        }
        Assume.assumeTrue("Skipped: " + testName + " needs root to create namespaces and cgroups", root);
    }

    /**
     * Builds a root file system at {@code rootfs} from Debian's static busybox, with a link
     * for each applet and the empty directories vcontext mounts on.
     */
    static Path buildBusyboxRootfs(Path rootfs, List<String> applets) throws IOException {
        Path busybox = Path.of("/bin/busybox");
        if (!Files.isExecutable(busybox)) {
            fail(busybox + " is missing: install the Debian package busybox-static");
        }
        Path bin = Files.createDirectories(rootfs.resolve("bin"));
        Files.copy(busybox, bin.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : applets) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        for (String directory : List.of("proc", "sys", "dev", "tmp", "etc")) {
            Files.createDirectories(rootfs.resolve(directory));
        }
        return rootfs;
    }

    /**
     * Kills every running guest of {@code service} and closes it, then removes the test's
     * cgroup parent with whatever is still in it. Either argument may be null when set-up
     * did not get that far.
     */
    static void stopAll(GuestService service, String cgroupParent) throws Exception {
        if (service != null) {
            for (GuestStatus status : service.list()) {
                if (status.initPid() != 0) {
                    service.stop(status.name(), Duration.ZERO);
                }
            }
            service.close();
        }
        if (cgroupParent != null) {
            Cgroup parent = CgroupHierarchies.discover().group(cgroupParent);
            if (parent.exists()) {
                parent.killAll(Duration.ofSeconds(10));
                parent.remove();
            }
        }
    }
}
