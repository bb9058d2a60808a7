package io.vserver.kmod.proc;

import java.util.List;

/**
 * One line of {@code /proc/PID/mountinfo} (see proc(5)), with the octal escapes of paths
 * ({@code \040} for a space) decoded.
 *
 * @param mountId         the unique id of the mount
 * @param parentId        the id of the parent mount
 * @param device          the {@code major:minor} device number
 * @param root            the directory of the file system that is mounted
 * @param mountPoint      where it is mounted, relative to the process's root
 * @param mountOptions    the per-mount options, such as {@code rw} and {@code relatime}
 * @param optionalFields  the propagation fields, such as {@code shared:1}
 * @param fileSystemType  the file system type, such as {@code cgroup2}
 * @param source          the mount source, such as {@code /dev/sda1} or {@code cgroup}
 * @param superOptions    the per-superblock options; for cgroup v1 they contain the controllers
 */
public record MountEntry(int mountId, int parentId, String device, String root,
        String mountPoint, List<String> mountOptions, List<String> optionalFields,
        String fileSystemType, String source, List<String> superOptions) {

    public MountEntry {
        mountOptions = List.copyOf(mountOptions);
        optionalFields = List.copyOf(optionalFields);
        superOptions = List.copyOf(superOptions);
    }
}
