package io.vserver.kmod.proc;

import org.junit.Test;

import java.util.List;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

public class MountInfoTest {

    @Test
    public void parsesFieldsAndOptionalFields() {
        List<MountEntry> entries = MountInfo.parse(
                "29 1 8:1 / / rw,relatime shared:1 master:2 - ext4 /dev/sda1 rw,errors=remount-ro\n"
                + "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n",
                "test");

        assertEquals(2, entries.size());
        MountEntry root = entries.get(0);
        assertEquals(29, root.mountId());
        assertEquals(1, root.parentId());
        assertEquals("8:1", root.device());
        assertEquals("/", root.mountPoint());
        assertEquals(List.of("shared:1", "master:2"), root.optionalFields());
        assertEquals("ext4", root.fileSystemType());
        assertEquals("/dev/sda1", root.source());
        assertEquals(List.of("rw", "errors=remount-ro"), root.superOptions());

        MountEntry memory = entries.get(1);
        assertEquals(List.of(), memory.optionalFields());
        assertEquals(List.of("rw", "memory"), memory.superOptions());
        assertEquals(List.of("rw", "relatime"), memory.mountOptions());
    }

    @Test
    public void decodesOctalEscapesInPaths() {
        MountEntry entry = MountInfo.parse(
                "40 29 0:40 /a\\134b /mnt/with\\040space\\011tab rw - tmpfs tmp\\040fs rw\n",
                "test").get(0);

        assertEquals("/a\\b", entry.root());
        assertEquals("/mnt/with space\ttab", entry.mountPoint());
        assertEquals("tmp fs", entry.source());
    }

    @Test
    public void malformedLineNamesSourceAndLine() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> MountInfo.parse("29 1 8:1 / / rw - ext4 /dev/sda1 rw\n30 1 broken\n",
                        "/proc/self/mountinfo"));
        assertTrue(e.getMessage(), e.getMessage().startsWith(
                "Invalid mountinfo line 2 in /proc/self/mountinfo: \"30 1 broken\""));
    }
}
