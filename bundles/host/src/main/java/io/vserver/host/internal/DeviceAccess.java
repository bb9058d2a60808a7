package io.vserver.host.internal;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.vserver.kmod.cgroup.Cgroup;
import io.vserver.kmod.cgroup.CgroupHierarchies;
import io.vserver.kmod.cgroup.CgroupHierarchy;
import io.vserver.kmod.cgroup.CgroupVersion;

/**
 * The devices a guest may open. Guest root keeps CAP_MKNOD in the default profile, so
 * without this list it could create a node for the host's disk and read it. With the
 * cgroup v1 devices controller the guest may create any node (so package managers work)
 * but may read and write only the devices vcontext puts in its /dev.
 */
final class DeviceAccess {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceAccess.class);

    /** Rules of the v1 devices controller, in the syntax of devices.allow. */
    static final List<String> ALLOWED = List.of(
            "c *:* m", // mknod of any character device, which opening still needs a rule below for
            "b *:* m", // mknod of any block device, never openable
            "c 1:3 rwm", // /dev/null
            "c 1:5 rwm", // /dev/zero
            "c 1:7 rwm", // /dev/full
            "c 1:8 rwm", // /dev/random
            "c 1:9 rwm", // /dev/urandom
            "c 5:0 rwm", // /dev/tty
            "c 5:2 rwm", // /dev/ptmx
            "c 136:* rwm"); // /dev/pts/N

    private static volatile boolean warned;

    private DeviceAccess() {
    }

    /**
     * Limits {@code group}, which must have no processes yet, to the devices of a guest's
     * /dev. Returns false when the host has no v1 devices controller.
     */
    static boolean restrict(CgroupHierarchies hierarchies, Cgroup group) throws IOException {
        Optional<CgroupHierarchy> devices = hierarchies.forController("devices");
        if (devices.isEmpty() || devices.get().version() != CgroupVersion.V1) {
            if (!warned) {
                warned = true;
                // NOTE: on cgroup v2 the device list needs a BPF_PROG_TYPE_CGROUP_DEVICE program,
                // which the host does not load yet.
                LOG.warn("This host has no cgroup v1 devices controller, so guests are not limited to the "
                        + "devices of their /dev: a guest that keeps CAP_MKNOD can open any device it creates. "
                        + "Set capabilities.drop=mknod on guests until device programs are supported");
            }
            return false;
        }
        group.set(devices.get(), "devices.deny", "a");
        for (String rule : ALLOWED) {
            group.set(devices.get(), "devices.allow", rule);
        }
        return true;
    }
}
