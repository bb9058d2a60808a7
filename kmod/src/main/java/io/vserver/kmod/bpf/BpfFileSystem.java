package io.vserver.kmod.bpf;

import com.sun.jna.LastErrorException;
import io.vserver.kmod.libc.LibC;
import io.vserver.kmod.libc.SyscallException;
import io.vserver.kmod.proc.MountEntry;
import io.vserver.kmod.proc.MountInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

/** The BPF file system (bpffs), where pinned maps and links outlive the process that made them. */
public final class BpfFileSystem {

    private static final Logger LOG = LoggerFactory.getLogger(BpfFileSystem.class);

    /** The standard bpffs mount point, used by systemd and bpftool. */
    public static final Path DEFAULT_MOUNT_POINT = Path.of("/sys/fs/bpf");

    private static final Path MOUNTINFO = Path.of("/proc/self/mountinfo");

    private BpfFileSystem() {
    }

    /**
     * Mounts bpffs at a mount point unless {@code /proc/self/mountinfo} already lists a bpf
     * mount there, so it is never mounted twice.
     *
     * @return true if this call mounted it
     */
    public static synchronized boolean ensureMounted(Path mountPoint) throws SyscallException {
        if (isMounted(MountInfo.read(MOUNTINFO), mountPoint)) {
            return false;
        }
        try {
            LibC.INSTANCE.mount("bpf", mountPoint.toString(), "bpf", 0, "mode=0700");
        } catch (LastErrorException e) {
            throw new SyscallException("mount", "bpf " + mountPoint, e);
        }
        LOG.info("Mounted bpffs at {}", mountPoint);
        return true;
    }

    /** Returns true if the mount table lists a bpf file system at the mount point. */
    static boolean isMounted(List<MountEntry> mounts, Path mountPoint) {
        String target = mountPoint.toString();
        return mounts.stream().anyMatch(mount -> mount.fileSystemType().equals("bpf")
                && mount.mountPoint().equals(target));
    }
}
