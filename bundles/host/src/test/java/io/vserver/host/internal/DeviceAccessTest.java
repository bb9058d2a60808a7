package io.vserver.host.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.junit.After;
import org.junit.Assume;
import org.junit.Before;
import org.junit.Test;

import io.vserver.kmod.cgroup.Cgroup;
import io.vserver.kmod.cgroup.CgroupHierarchies;
import io.vserver.kmod.cgroup.CgroupHierarchy;
import io.vserver.kmod.cgroup.CgroupVersion;
import io.vserver.kmod.libc.Syscalls;

public class DeviceAccessTest {

    private CgroupHierarchies hierarchies;
    private Cgroup parent;

    @Before
    public void setUp() throws Exception {
        boolean root = Syscalls.isRoot();
        if (!root && System.getenv("CI") != null) {
            fail("DeviceAccessTest needs root, and CI is set, so it must not be skipped");
        }
        Assume.assumeTrue("DeviceAccessTest needs root to create cgroups", root);
        hierarchies = CgroupHierarchies.discover();
        parent = hierarchies.group("vserver-test-" + UUID.randomUUID().toString().substring(0, 8));
    }

    @After
    public void tearDown() throws Exception {
        if (parent != null) {
            parent.remove();
        }
    }

    @Test
    public void restrictLeavesOnlyGuestDevices() throws Exception {
        Optional<CgroupHierarchy> devices = hierarchies.forController("devices");
        Cgroup group = hierarchies.group(parent.path() + "/guest");
        group.create();

        boolean restricted = DeviceAccess.restrict(hierarchies, group);

        if (devices.isEmpty() || devices.get().version() != CgroupVersion.V1) {
            assertEquals("restricted without a v1 devices controller", false, restricted);
            return;
        }
        assertTrue(restricted);
        List<String> listed = group.read(devices.get(), "devices.list").lines().toList();
        assertEquals(DeviceAccess.ALLOWED, listed);
    }
}
