package io.vserver.kmod.bpf;

import io.vserver.kmod.proc.MountEntry;
import io.vserver.kmod.proc.MountInfo;
import org.junit.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

public class BpfFileSystemTest {

    private static final String MOUNTED = String.join("\n",
            "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
            "47 23 0:43 / /sys/fs/bpf rw,relatime - bpf bpf rw,mode=700");

    @Test
    public void isMountedFindsBpfMount() {
        List<MountEntry> mounts = MountInfo.parse(MOUNTED, "test");

        assertTrue(BpfFileSystem.isMounted(mounts, Path.of("/sys/fs/bpf")));
    }

    @Test
    public void isMountedIgnoresOtherPathsAndTypes() {
        List<MountEntry> mounts = MountInfo.parse(String.join("\n",
                "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw",
                "48 23 0:44 / /sys/fs/bpf rw,relatime - tmpfs tmpfs rw",
                "49 23 0:45 / /run/bpf rw,relatime - bpf bpf rw"), "test");

        assertFalse(BpfFileSystem.isMounted(mounts, Path.of("/sys/fs/bpf")));
    }
}
